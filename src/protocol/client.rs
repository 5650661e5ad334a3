//! The client core: the connection state machine and the inputs and outputs that drive it.
//!
//! Channel subscriptions ([`super::subscriptions`]), encrypted channels
//! ([`super::encrypted`]), client events ([`super::client_events`]) and user sign-in
//! ([`super::user`]) extend [`Client`] in their own modules.

use crate::prelude::*;
use core::time::Duration;

use super::backoff::Backoff;
use super::channel::Channels;
use super::client_events::RateWindow;
use super::close::{CloseAction, REPEATED_ERROR_LIMIT};
use super::config::Config;
use super::frame::{self, Frame, Payload, RawData};
use super::json;
use super::output::{
    AuthRequest, AuthRequestId, AuthTarget, ClientError, Event, LinkId, Message, Output,
};
use super::shaping::{Shape, Shaper, Verdict};
use super::state::{DisconnectReason, Link, LinkEnd, Phase, State, Step};
use super::time::{millis, Instant};
use super::timers::{ShaperId, Timer, Timers};
use super::user::UserSession;
use super::vec_map::remove_at;

/// A change in the page's life the browser tells us about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEvent {
    /// `visibilitychange` to hidden.
    Hidden,
    /// `visibilitychange` to visible.
    Visible,
    /// `pageshow`; `persisted` when restored from the back/forward cache.
    PageShow {
        /// Restored from the back/forward cache.
        persisted: bool,
    },
    /// The browser went online.
    Online,
    /// The browser went offline.
    Offline,
}

/// A connected link counts as possibly stale after this much silence when the page wakes
/// up (visible again, restored from the back/forward cache): we ping at once instead of
/// waiting for the activity timeout, because timers were throttled meanwhile.
pub const STALE_AFTER: Duration = Duration::from_secs(10);

/// The protocol's own events, told apart once per frame: every handler then matches
/// on this instead of comparing the name with its literals again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `pusher:connection_established`.
    ConnectionEstablished,
    /// `pusher:error`.
    Error,
    /// `pusher:ping`.
    Ping,
    /// `pusher:pong`.
    Pong,
    /// `pusher:signin_success`.
    SigninSuccess,
    /// `pusher:subscription_error`.
    SubscriptionError,
    /// Another `pusher:` event: delivered, never decrypted.
    OtherPusher,
    /// An app event.
    App,
    /// `pusher_internal:subscription_succeeded`; this and the kinds after it are
    /// internal: never delivered as they are.
    SubscriptionSucceeded,
    /// `pusher_internal:subscription_count`.
    SubscriptionCount,
    /// `pusher_internal:member_added`.
    MemberAdded,
    /// `pusher_internal:member_removed`.
    MemberRemoved,
    /// `pusher_internal:watchlist_events`.
    Watchlist,
    /// Another `pusher_internal:` event: ignored.
    OtherInternal,
}

impl Kind {
    /// The kind of event `event`.
    fn of(event: &str) -> Kind {
        match event {
            "pusher:connection_established" => Kind::ConnectionEstablished,
            "pusher:error" => Kind::Error,
            "pusher:ping" => Kind::Ping,
            "pusher:pong" => Kind::Pong,
            "pusher:signin_success" => Kind::SigninSuccess,
            "pusher:subscription_error" => Kind::SubscriptionError,
            "pusher_internal:subscription_succeeded" => Kind::SubscriptionSucceeded,
            "pusher_internal:subscription_count" => Kind::SubscriptionCount,
            "pusher_internal:member_added" => Kind::MemberAdded,
            "pusher_internal:member_removed" => Kind::MemberRemoved,
            "pusher_internal:watchlist_events" => Kind::Watchlist,
            _ if event.starts_with("pusher_internal:") => Kind::OtherInternal,
            _ if event.starts_with("pusher:") => Kind::OtherPusher,
            _ => Kind::App,
        }
    }

    /// A `pusher_internal:` event, which the app never sees as such.
    pub(crate) fn is_internal(self) -> bool {
        self as u8 >= Kind::SubscriptionSucceeded as u8
    }
}

/// See [`Client::add_shaper`]: the shapers' timing, as functions reached only from there.
#[derive(Debug, Clone, Copy)]
struct ShaperTiming {
    flush: fn(&mut Client, Instant),
    earliest: fn(&Client, Option<Instant>) -> Option<Instant>,
}

/// The detail behind the connection state, for status displays ("reconnecting in 4 s,
/// attempt 3, connection lost").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status<'a> {
    /// The public state.
    pub state: State,
    /// The socket id, while connected.
    pub socket_id: Option<&'a str>,
    /// When the next attempt is scheduled, while waiting to retry.
    pub next_retry_at: Option<Instant>,
    /// Attempts since the last stable connection.
    pub attempt: u32,
    /// How the last socket ended, if one did.
    pub last_end: Option<&'a LinkEnd>,
    /// Why the client is disconnected, in state `disconnected`.
    pub disconnect_reason: Option<&'a DisconnectReason>,
    /// Why the client failed, in state `failed`.
    pub failure: Option<&'a str>,
}

/// The sans-IO Pusher protocol client.
///
/// Feed it with the `handle_*` methods and the app commands, always passing the current
/// time; after each call, drain [`Client::poll_output`] and re-arm one timer for
/// [`Client::poll_timeout`]. It never panics on any input.
#[derive(Debug)]
pub struct Client {
    pub(crate) config: Config,
    pub(crate) phase: Phase,
    pub(crate) timers: Timers,
    pub(crate) backoff: Backoff,
    /// Outputs queued, oldest first; those before `polled` were already taken (`None`).
    /// The list is emptied once all are taken: amortized O(1) per output, and far
    /// smaller in wasm than a `VecDeque` or two `Vec`s turned around.
    outbox: Vec<Option<Output>>,
    polled: usize,
    pub(crate) channels: Channels,
    pub(crate) user: UserSession,
    pub(crate) rate: RateWindow,
    /// Shaped listeners, in the order their current deadlines were armed: one that gets
    /// a deadline after having none moves last, so shapers due together flush in arming
    /// order. Their deadlines are read from the shapers themselves rather than mirrored
    /// in [`Timers`], which saves a second map and keeping it in sync.
    shapers: Vec<(ShaperId, Shaper)>,
    /// The shapers' part of [`Client::handle_timeout`] and [`Client::poll_timeout`],
    /// installed by the first [`Client::add_shaper`]. Reached only through it, so an
    /// embedder that never shapes listeners does not carry that code in its module.
    shaper_timing: Option<ShaperTiming>,
    next_link: u32,
    next_auth: u32,
    next_shaper: u32,
    last_end: Option<LinkEnd>,
    /// Consecutive 4300-class endings without a stable connection between them.
    repeated_errors: u32,
    page_hidden: bool,
}

impl Client {
    /// A client in state `initialized`. Nothing happens until [`Client::connect`].
    /// Validate app-supplied timing options first with [`Config::validate`]; any value
    /// is safe here, only some are not useful.
    pub fn new(config: Config) -> Self {
        let backoff = Backoff::new(config.backoff, config.jitter_seed);
        Client {
            config,
            phase: Phase::Initialized,
            timers: Timers::default(),
            backoff,
            outbox: Vec::new(),
            polled: 0,
            channels: Channels::default(),
            user: UserSession::default(),
            rate: RateWindow::default(),
            shapers: Vec::new(),
            shaper_timing: None,
            next_link: 0,
            next_auth: 0,
            next_shaper: 0,
            last_end: None,
            repeated_errors: 0,
            page_hidden: false,
        }
    }

    // ----- outputs -------------------------------------------------------------------

    /// The next thing to do, if any. Drain until `None` after every input.
    pub fn poll_output(&mut self) -> Option<Output> {
        let output = self.outbox.get_mut(self.polled).and_then(Option::take);
        self.polled += 1;
        if output.is_none() {
            self.outbox.clear();
            self.polled = 0;
        }
        output
    }

    /// When [`Client::handle_timeout`] must next be called. Calling it late is fine.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let earliest = self.timers.next();
        match self.shaper_timing {
            Some(timing) => (timing.earliest)(self, earliest),
            None => earliest,
        }
    }

    /// `earliest`, or a shaper's deadline if one is sooner.
    fn earliest_shaper(&self, mut earliest: Option<Instant>) -> Option<Instant> {
        for (_, shaper) in &self.shapers {
            if let Some(at) = shaper.deadline() {
                if earliest.is_none_or(|e| at < e) {
                    earliest = Some(at);
                }
            }
        }
        earliest
    }

    // ----- queries -------------------------------------------------------------------

    /// The public connection state.
    pub fn state(&self) -> State {
        self.phase.state()
    }

    /// The socket id, while connected.
    pub fn socket_id(&self) -> Option<&str> {
        match &self.phase {
            Phase::Connected(link) => Some(&link.socket_id),
            _ => None,
        }
    }

    /// The state with its detail.
    pub fn status(&self) -> Status<'_> {
        // One match over the phase for everything that depends on it.
        let mut status = Status {
            state: self.state(),
            socket_id: None,
            next_retry_at: None,
            attempt: self.backoff.attempt(),
            last_end: self.last_end.as_ref(),
            disconnect_reason: None,
            failure: None,
        };
        match &self.phase {
            Phase::Connected(link) => status.socket_id = Some(&link.socket_id),
            Phase::Connecting {
                step: Step::Waiting,
                ..
            } => status.next_retry_at = self.timers.get(Timer::Retry),
            Phase::Disconnected(reason) => status.disconnect_reason = Some(reason),
            Phase::Failed(why) => status.failure = Some(why),
            _ => {}
        }
        status
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    // ----- app commands --------------------------------------------------------------

    /// Connects, or retries at once if waiting out a backoff delay. Does nothing while
    /// connected or already opening a socket.
    pub fn connect(&mut self, now: Instant) {
        match &self.phase {
            Phase::Connected(_) => {}
            Phase::Connecting { step, .. } => {
                if matches!(step, Step::Waiting) {
                    self.open_link(now);
                }
            }
            Phase::Initialized | Phase::Disconnected(_) | Phase::Failed(_) => {
                self.start_connecting(now);
            }
        }
    }

    /// Closes the connection on purpose. Channels stay wanted: [`Client::connect`]
    /// subscribes them again.
    pub fn disconnect(&mut self, now: Instant) {
        self.go_disconnected(now, DisconnectReason::Requested, "disconnect");
    }

    // ----- inputs from the socket ----------------------------------------------------

    /// The socket `link` opened.
    pub fn handle_socket_open(&mut self, _now: Instant, link: LinkId) {
        if let Phase::Connecting { step, .. } = &mut self.phase {
            if matches!(*step, Step::Opening(opening) if opening == link) {
                *step = Step::Handshaking(link);
            }
        }
    }

    /// The socket `link` could not even be created (the browser threw: no WebSocket, a
    /// URL it refuses, a Content-Security-Policy). Retrying cannot help: state `failed`.
    pub fn handle_socket_failed(&mut self, now: Instant, link: LinkId, message: &str) {
        if self.phase.link() == Some(link) {
            self.fail(now, message);
        }
    }

    /// WebSockets are not available at all in this environment.
    pub fn handle_unsupported(&mut self, now: Instant, message: &str) {
        self.fail(now, message);
    }

    /// The socket `link` closed with `code` (1006 when the connection simply dropped).
    pub fn handle_socket_closed(&mut self, now: Instant, link: LinkId, code: u16, reason: &str) {
        if self.phase.link() != Some(link) {
            return;
        }
        self.link_lost(
            now,
            LinkEnd::with_code(code, reason),
            CloseAction::for_code(code),
        );
    }

    /// A text frame arrived on socket `link`.
    pub fn handle_frame(&mut self, now: Instant, link: LinkId, text: &str) {
        if self.phase.link() != Some(link) {
            return;
        }
        self.note_inbound(now);
        let frame = match frame::decode(text) {
            Ok(frame) => frame,
            Err(error) => {
                self.malformed(error.0, "");
                return;
            }
        };
        let kind = Kind::of(&frame.event);
        // Internal frames read their members from this; an absent `data` reads as an
        // empty object, which has none of them.
        let data = frame.data.json_text().unwrap_or("{}");
        // One dispatch for both phases: the frames handled alike (ping, errors) are
        // matched once.
        let connected = matches!(self.phase, Phase::Connected(_));
        match (kind, &frame.channel) {
            (Kind::Ping, _) => self.send(frame::PONG.to_owned()),
            (Kind::Error, channel) if channel.is_none() || !connected => {
                self.handle_server_error(now, data)
            }
            (Kind::ConnectionEstablished, _) if !connected => match parse_established(data) {
                Some((socket_id, server_timeout)) => {
                    self.on_established(now, link, socket_id, server_timeout)
                }
                None => {
                    self.malformed("invalid ", &frame.event);
                    self.abandon(
                        now,
                        "invalid handshake",
                        LinkEnd::BAD_HANDSHAKE,
                        CloseAction::Retry,
                    );
                }
            },
            _ if !connected => self.malformed("expected the handshake, got ", &frame.event),
            // A pong needs nothing but the activity it proves; a repeated handshake
            // changes nothing (the socket id stays the one we subscribed with).
            (Kind::Pong | Kind::ConnectionEstablished, _) => {}
            (Kind::SigninSuccess, _) => self.handle_signin_success(now, data),
            (Kind::Watchlist, _) => self.handle_watchlist(data),
            (_, Some(name)) => self.handle_channel_frame(name, kind, &frame, data),
            (kind, None) => {
                if !kind.is_internal() {
                    self.emit(Event::Message(Client::message(None, &frame)));
                }
            }
        }
    }

    /// `pusher:error`: during the handshake its code decides like a close code; after it,
    /// the app is told and the close that usually follows decides.
    fn handle_server_error(&mut self, now: Instant, data: &str) {
        let code = get_u16(data, "code");
        let message = get_text_or(data, "message", "");
        self.emit(Event::Error(ClientError::Server {
            code,
            message: message.clone(),
        }));
        if let (Phase::Connecting { .. }, Some(code)) = (&self.phase, code) {
            self.abandon(
                now,
                "server error",
                LinkEnd::with_code(code, &message),
                CloseAction::for_code(code),
            );
        }
    }

    // ----- other inputs --------------------------------------------------------------

    /// Time has reached `now`: runs every timer that is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        for &timer in &Timer::ALL {
            if self.timers.take_expired(timer, now) {
                self.on_timer(now, timer);
            }
        }
        if let Some(timing) = self.shaper_timing {
            (timing.flush)(self, now);
        }
    }

    /// Flushes every shaper that is due at `now`, in the order they were armed.
    fn flush_shapers(&mut self, now: Instant) {
        // A flush never arms a shaper again, so the order stays put while we walk it.
        let mut index = 0;
        while let Some((id, shaper)) = self.shapers.get_mut(index) {
            index += 1;
            if shaper.deadline().is_some_and(|at| at <= now) && shaper.on_timeout(now) {
                let shaper = *id;
                self.emit(Event::Flush { shaper });
            }
        }
    }

    fn on_timer(&mut self, now: Instant, timer: Timer) {
        match timer {
            Timer::Pause => {
                if self.page_hidden {
                    self.go_disconnected(now, DisconnectReason::Paused, "paused");
                }
            }
            Timer::Pong => self.abandon(
                now,
                "no pong in time",
                LinkEnd::PONG_TIMEOUT,
                CloseAction::ReconnectNow,
            ),
            Timer::Activity => self.ping(now),
            Timer::Handshake => self.abandon(
                now,
                "handshake timed out",
                LinkEnd::HANDSHAKE_TIMEOUT,
                CloseAction::Retry,
            ),
            Timer::Unavailable => {
                if let Phase::Connecting { unavailable, .. } = &mut self.phase {
                    if !*unavailable {
                        *unavailable = true;
                        self.emit_state_change(State::Connecting, State::Unavailable);
                    }
                }
            }
            Timer::Retry => {
                if matches!(
                    self.phase,
                    Phase::Connecting {
                        step: Step::Waiting,
                        ..
                    }
                ) {
                    self.open_link(now);
                }
            }
        }
    }

    /// The page's visibility or the network changed.
    pub fn handle_page_event(&mut self, now: Instant, event: PageEvent) {
        match event {
            PageEvent::Hidden => {
                self.page_hidden = true;
                if let Some(grace) = self.config.pause_when_hidden {
                    self.timers.set_after(Timer::Pause, now, grace);
                }
            }
            PageEvent::Visible => {
                self.page_hidden = false;
                self.timers.stop(Timer::Pause);
                // A pattern test, as elsewhere in this file, rather than `==`: the derived
                // `PartialEq` of a phase compares its strings too, a sizeable function.
                if matches!(self.phase, Phase::Disconnected(DisconnectReason::Paused)) {
                    self.start_connecting(now);
                } else {
                    self.wake(now, false);
                }
            }
            PageEvent::PageShow { persisted } => {
                if persisted {
                    self.wake(now, false);
                }
            }
            PageEvent::Online => self.wake(now, true),
            PageEvent::Offline => {
                if matches!(self.phase, Phase::Connected(_)) {
                    self.ping(now);
                }
            }
        }
    }

    /// The page woke up or the network came back: a pending retry happens now, and a
    /// connected link that may be stale is checked with a ping (`always`: regardless of
    /// how recently it spoke).
    fn wake(&mut self, now: Instant, always: bool) {
        match &self.phase {
            Phase::Connecting {
                step: Step::Waiting,
                ..
            } => self.open_link(now),
            Phase::Connected(link)
                if always
                    || now.millis_since(link.last_inbound) >= STALE_AFTER.as_millis() as u64 =>
            {
                self.ping(now)
            }
            _ => {}
        }
    }

    // ----- debounce / throttle -------------------------------------------------------

    /// Registers a shaped listener; the shell passes its events through
    /// [`Client::offer`].
    pub fn add_shaper(&mut self, shape: Shape) -> ShaperId {
        self.next_shaper = self.next_shaper.wrapping_add(1);
        let id = ShaperId(self.next_shaper);
        self.remove_shaper(id);
        self.shapers.push((id, Shaper::new(shape)));
        self.shaper_timing = Some(ShaperTiming {
            flush: Client::flush_shapers,
            earliest: Client::earliest_shaper,
        });
        id
    }

    /// Forgets a shaped listener and anything it held.
    pub fn remove_shaper(&mut self, id: ShaperId) {
        if let Some(index) = self.shaper_index(id) {
            remove_at(&mut self.shapers, index);
        }
    }

    /// An event for a shaped listener arrived: deliver it now, hold it for a later
    /// [`Event::Flush`], or drop it. Unknown ids deliver (never lose an event).
    pub fn offer(&mut self, now: Instant, id: ShaperId) -> Verdict {
        let Some(index) = self.shaper_index(id) else {
            return Verdict::Deliver;
        };
        let Some((_, shaper)) = self.shapers.get_mut(index) else {
            return Verdict::Deliver;
        };
        let was_armed = shaper.deadline().is_some();
        let verdict = shaper.offer(now);
        if !was_armed && shaper.deadline().is_some() {
            if let Some(entry) = remove_at(&mut self.shapers, index) {
                self.shapers.push(entry);
            }
        }
        verdict
    }

    fn shaper_index(&self, id: ShaperId) -> Option<usize> {
        self.shapers.iter().position(|(known, _)| *known == id)
    }

    // ----- transitions ---------------------------------------------------------------

    /// From a resting phase into a new series of attempts.
    /// A fresh start (the app connects, or the page comes back from a pause): earlier
    /// failures no longer count, and a page that is still hidden gets its grace period.
    fn start_connecting(&mut self, now: Instant) {
        self.backoff.reset();
        self.repeated_errors = 0;
        if let (true, Some(grace)) = (self.page_hidden, self.config.pause_when_hidden) {
            if self.timers.get(Timer::Pause).is_none() {
                self.timers.set_after(Timer::Pause, now, grace);
            }
        }
        self.next_attempt(now, None, 0);
    }

    /// Schedules the next attempt of a series, `delay` ms from now (at once: 0). A new
    /// series (`unavailable` is `None`) starts the wait for state `unavailable`; a
    /// running one keeps whether it has reached it.
    fn next_attempt(&mut self, now: Instant, unavailable: Option<bool>, delay: u64) {
        self.enter(Phase::Connecting {
            step: Step::Waiting,
            unavailable: unavailable.unwrap_or(false),
        });
        if unavailable.is_none() {
            self.timers
                .set_after(Timer::Unavailable, now, self.config.unavailable_timeout);
        }
        if delay == 0 {
            self.open_link(now);
        } else {
            self.timers.set(Timer::Retry, now.plus(delay));
        }
    }

    /// Asks for a new socket (within a series of attempts).
    fn open_link(&mut self, now: Instant) {
        self.next_link = self.next_link.wrapping_add(1);
        let link = LinkId(self.next_link);
        if let Phase::Connecting { step, .. } = &mut self.phase {
            *step = Step::Opening(link);
        }
        self.timers.stop(Timer::Retry);
        self.timers
            .set_after(Timer::Handshake, now, self.config.handshake_timeout);
        self.push(Output::Open {
            link,
            url: self.config.endpoint.url(),
        });
    }

    fn on_established(
        &mut self,
        now: Instant,
        link: LinkId,
        socket_id: String,
        server: Option<u64>,
    ) {
        let mut activity_timeout = millis(self.config.activity_timeout);
        if let Some(secs) = server {
            activity_timeout = activity_timeout.min(millis(Duration::from_secs(secs)));
        }
        self.enter(Phase::Connected(Link {
            id: link,
            socket_id,
            since: now,
            activity_timeout,
            last_inbound: now,
            ping_outstanding: false,
        }));
        self.timers.stop_all_but(Timer::Pause.bit());
        self.timers.set(Timer::Activity, now.plus(activity_timeout));
        self.resubscribe_all(now);
        self.sign_in_again(now);
    }

    /// Any inbound frame proves the link alive: restart the activity timer, cancel the
    /// pong wait.
    fn note_inbound(&mut self, now: Instant) {
        if let Phase::Connected(link) = &mut self.phase {
            link.last_inbound = now;
            link.ping_outstanding = false;
            let next = now.plus(link.activity_timeout);
            self.timers.stop(Timer::Pong);
            self.timers.set(Timer::Activity, next);
        }
    }

    /// Sends a ping (unless one is out) and waits for an answer.
    fn ping(&mut self, now: Instant) {
        if let Phase::Connected(link) = &mut self.phase {
            if !link.ping_outstanding {
                link.ping_outstanding = true;
                self.timers.stop(Timer::Activity);
                self.timers
                    .set_after(Timer::Pong, now, self.config.pong_timeout);
                self.send(frame::PING.to_owned());
            }
        }
    }

    /// Gives up on the current socket, if any: closes it with `reason` and decides what
    /// comes next. The one place the client drops a socket of its own accord.
    fn abandon(&mut self, now: Instant, reason: &'static str, end: LinkEnd, action: CloseAction) {
        if let Some(link) = self.phase.link() {
            self.close_link(link, reason);
            self.link_lost(now, end, action);
        }
    }

    /// The current socket is gone (or being abandoned): decide what comes next.
    fn link_lost(&mut self, now: Instant, end: LinkEnd, action: CloseAction) {
        // `None` when connected (a new series of attempts starts), else whether this
        // series has already been reported unavailable.
        let unavailable = match &self.phase {
            Phase::Connected(link) => {
                if now.millis_since(link.since) >= millis(self.backoff.policy().stable_after) {
                    self.backoff.reset();
                    self.repeated_errors = 0;
                }
                None
            }
            Phase::Connecting { unavailable, .. } => Some(*unavailable),
            _ => return,
        };
        self.drop_session();
        // The count of 4300-class endings is taken before the delay: reaching the limit
        // gives up for good (the next series of attempts starts it from zero), without
        // drawing a delay.
        if action == CloseAction::RetryUnlessRepeated {
            self.repeated_errors += 1;
        }
        let delay = match action {
            CloseAction::Refused => None,
            CloseAction::RetryUnlessRepeated if self.repeated_errors >= REPEATED_ERROR_LIMIT => {
                None
            }
            CloseAction::SwitchToTls if !self.config.endpoint.tls() => {
                self.config.endpoint.require_tls();
                self.backoff.skip();
                Some(0)
            }
            CloseAction::ReconnectNow if self.backoff.attempt() == 0 => {
                self.backoff.skip();
                Some(0)
            }
            // Everything else backs off, with one computation of the delay: 4000
            // although already on TLS too (switching cannot help, so rather than
            // reconnecting at once in a loop), and at least 1 s for 4100–4199.
            _ => {
                let delay = self.backoff.next_delay();
                Some(if action == CloseAction::RetryLater {
                    delay.max(1000)
                } else {
                    delay
                })
            }
        };
        let Some(delay) = delay else {
            self.timers.stop_all_but(Timer::Pause.bit());
            let code = end.code().unwrap_or(4000);
            self.emit(Event::Error(ClientError::Refused {
                code,
                message: end.reason().to_owned(),
            }));
            self.last_end = Some(end);
            self.enter(Phase::Disconnected(DisconnectReason::Refused { code }));
            return;
        };
        self.timers
            .stop_all_but(Timer::Pause.bit() | Timer::Unavailable.bit());
        self.last_end = Some(end);
        // Within the series of attempts that is already running, or a new one.
        self.next_attempt(now, unavailable, delay);
    }

    /// Closes any socket on purpose and rests in `disconnected`.
    fn go_disconnected(
        &mut self,
        _now: Instant,
        reason: DisconnectReason,
        close_reason: &'static str,
    ) {
        let active = matches!(self.phase, Phase::Connected(_) | Phase::Connecting { .. });
        if !active && matches!(reason, DisconnectReason::Paused) {
            // Nothing to pause: never connected, or already resting.
            return;
        }
        if self.shut(
            close_reason,
            Timer::Pause.bit(),
            Phase::Disconnected(reason),
        ) {
            self.last_end = Some(LinkEnd::CLOSED_BY_CLIENT);
        }
    }

    fn fail(&mut self, _now: Instant, message: &str) {
        self.shut("failed", 0, Phase::Failed(message.to_owned()));
    }

    /// Closes the socket if there is one (true then), ends the session, keeps only the
    /// timers in `keep` and rests in `phase`: what disconnecting and failing share.
    fn shut(&mut self, close_reason: &'static str, keep: u8, phase: Phase) -> bool {
        let link = self.phase.link();
        if let Some(link) = link {
            self.close_link(link, close_reason);
        }
        // Harmless when not connected: there is no session left to end then.
        self.drop_session();
        self.timers.stop_all_but(keep);
        self.enter(phase);
        link.is_some()
    }

    /// Everything tied to the socket id ends with it: subscriptions go back to idle,
    /// presence lists are cleared, and auth replies still in flight will be discarded.
    fn drop_session(&mut self) {
        self.reset_channels();
        self.user.reset();
    }

    // ----- helpers -------------------------------------------------------------------

    /// Out of line: called from dozens of places, inlining it would copy the queue
    /// push into each.
    #[inline(never)]
    pub(crate) fn emit(&mut self, event: Event) {
        self.push(Output::Event(event));
    }

    /// The one place outputs are queued, out of line for the same reason.
    #[inline(never)]
    fn push(&mut self, output: Output) {
        self.outbox.push(Some(output));
    }

    /// The one place a [`Message`] is built from a frame, out of line so connection,
    /// channel and encrypted events share it. The frame is borrowed all the way from
    /// `handle_frame`, and its parts copied out here: moving the several-word `Frame`
    /// down each handler copied it at every call.
    #[inline(never)]
    pub(crate) fn message(channel: Option<&str>, frame: &Frame<'_>) -> Message {
        let data = match &frame.data {
            RawData::Absent => Payload::Absent,
            RawData::Value(raw) => Payload::Json((*raw).to_owned()),
            RawData::Encoded(text) => Payload::Text(text.as_ref().to_owned()),
        };
        Message {
            channel: channel.map(str::to_owned),
            event: frame.event.as_ref().to_owned(),
            data,
            user_id: frame.user_id.as_deref().map(str::to_owned),
        }
    }

    /// Moves to `phase`, telling the app when the public state changes: the one place the
    /// phase is replaced, out of line so its callers share it.
    #[inline(never)]
    fn enter(&mut self, phase: Phase) {
        let previous = self.state();
        self.phase = phase;
        let current = self.state();
        self.emit_state_change(previous, current);
    }

    fn emit_state_change(&mut self, previous: State, current: State) {
        if previous != current {
            self.emit(Event::StateChange { previous, current });
        }
    }

    /// Reports a frame that was not understood: `what` followed by `event` (or whatever
    /// names the problem), composed here for all callers.
    #[inline(never)]
    pub(crate) fn malformed(&mut self, what: &str, event: &str) {
        let mut reason = String::from(what);
        reason.push_str(event);
        self.emit(Event::Error(ClientError::MalformedFrame { reason }));
    }

    /// Sends on the connected socket. Callers only send while connected; anything else
    /// is dropped here rather than written to a socket that is not open. Out of line,
    /// like [`Client::emit`].
    #[inline(never)]
    pub(crate) fn send(&mut self, text: String) {
        let link = match &self.phase {
            Phase::Connected(link) => link.id,
            Phase::Connecting {
                step: Step::Handshaking(link),
                ..
            } => *link,
            _ => return,
        };
        self.push(Output::Send { link, text });
    }

    fn close_link(&mut self, link: LinkId, reason: &'static str) {
        self.push(Output::Close { link, reason });
    }

    /// Asks the shell for an authorization for the current socket id. The caller keeps
    /// the id where the answer is awaited (the channel's subscription or keyring, the user
    /// session); all of those are cleared with the session, so no separate table of
    /// requests is needed to discard replies meant for an earlier socket id.
    pub(crate) fn request_auth(&mut self, target: AuthTarget) -> Option<AuthRequestId> {
        let socket_id = self.socket_id()?.to_owned();
        self.next_auth = self.next_auth.wrapping_add(1);
        let id = AuthRequestId(self.next_auth);
        self.push(Output::Authorize(AuthRequest {
            id,
            socket_id,
            target,
        }));
        Some(id)
    }
}

// Readers for the members of event data, out of line: shared by the handlers of
// `pusher:error`, subscription errors and counts, the handshake and presence.

/// `data[key]` as a string, or `default`.
#[inline(never)]
pub(crate) fn get_text_or(data: &str, key: &str, default: &str) -> String {
    frame::get_str(data, key).map_or_else(|| default.to_owned(), |text| text.into_owned())
}

/// `data[key]` as a whole number, if it is one.
#[inline(never)]
pub(crate) fn get_u64(data: &str, key: &str) -> Option<u64> {
    json::get(data, key).and_then(json::parse_u64)
}

/// `data[key]` as a code or status (a whole number that fits in 16 bits).
pub(crate) fn get_u16(data: &str, key: &str) -> Option<u16> {
    get_u64(data, key).and_then(|n| u16::try_from(n).ok())
}

/// `{"socket_id":"123.456","activity_timeout":120}` → the socket id (which must match
/// `^\d+\.\d+$`) and the server's activity timeout in seconds.
fn parse_established(data: &str) -> Option<(String, Option<u64>)> {
    let socket_id = frame::get_str(data, "socket_id")?;
    // `^\d+\.\d+$` in one pass: every dot follows a digit, there is one, and a digit
    // ends the text.
    let (mut dots, mut after_digit) = (0, false);
    for &c in socket_id.as_bytes() {
        if c == b'.' && after_digit {
            dots += 1;
            after_digit = false;
        } else if c.is_ascii_digit() {
            after_digit = true;
        } else {
            return None;
        }
    }
    if dots != 1 || !after_digit {
        return None;
    }
    let timeout = get_u64(data, "activity_timeout").filter(|secs| *secs > 0);
    Some((socket_id.into_owned(), timeout))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flushes(client: &mut Client) -> Vec<ShaperId> {
        let mut ids = Vec::new();
        while let Some(output) = client.poll_output() {
            if let Output::Event(Event::Flush { shaper }) = output {
                ids.push(shaper);
            }
        }
        ids
    }

    #[test]
    fn shapers_due_together_flush_in_the_order_they_were_armed() {
        let endpoint = crate::protocol::Endpoint::new(&crate::protocol::EndpointOptions {
            ws_host: Some("localhost"),
            ..crate::protocol::EndpointOptions::new("key")
        })
        .unwrap();
        let mut client = Client::new(Config::new(endpoint));
        let at = Instant::from_millis;
        let debounce = |wait| Shape::Debounce {
            wait: Duration::from_millis(wait),
            max_wait: None,
        };
        let a = client.add_shaper(debounce(100));
        let b = client.add_shaper(debounce(100));
        let c = client.add_shaper(debounce(50));
        // Armed b, then a, then c: all due at 100.
        client.offer(at(0), b);
        client.offer(at(0), a);
        client.offer(at(50), c);
        assert_eq!(client.poll_timeout(), Some(at(100)));
        client.handle_timeout(at(100));
        assert_eq!(flushes(&mut client), [b, a, c]);
        // A shaper that is still armed keeps its place; one armed again goes last.
        client.offer(at(200), a);
        client.offer(at(210), b);
        client.offer(at(220), c);
        client.offer(at(230), a);
        client.handle_timeout(at(1000));
        assert_eq!(flushes(&mut client), [a, b, c]);
        client.offer(at(1100), c);
        client.offer(at(1100), a);
        client.remove_shaper(c);
        client.offer(at(1150), b);
        assert_eq!(client.poll_timeout(), Some(at(1200)));
        client.handle_timeout(at(1300));
        assert_eq!(flushes(&mut client), [a, b]);
        assert_eq!(client.poll_timeout(), None);
    }
}
