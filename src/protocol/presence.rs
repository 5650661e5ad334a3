//! Presence channel members, kept as the server reports them.
//!
//! Member ids are compared as text (servers and Laravel apps send both `"42"` and `42`),
//! but each member keeps the id's JSON form so that JavaScript sees the same type the
//! server sent. Member info stays raw JSON for JS to parse.

use super::frame::id_text;
use super::json;
use super::vec_map::remove_at;
use crate::prelude::*;

/// One member of a presence channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The id as text, for comparison.
    pub id: String,
    /// The id as it was written in JSON (`42` or `"42"`).
    pub id_json: String,
    /// The member's `user_info`, raw JSON (`null` when absent).
    pub info_json: String,
}

/// The member list of one subscribed presence channel.
///
/// A plain `Vec` searched by [`Member::id`] rather than a map keyed by a copy of the id:
/// no second string per member, and no map instantiation of its own in the wasm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    members: Vec<Member>,
    count: u64,
    me: Option<String>,
}

impl Members {
    /// Builds the list from a `subscription_succeeded` payload
    /// `{"presence":{"count":N,"ids":[...],"hash":{"<id>":info}}}`. `me` is the
    /// `user_id` from this client's own `channel_data`, as text.
    pub fn from_subscription(data: &str, me: Option<&str>) -> Option<Self> {
        let presence = json::get(data, "presence")?;
        let mut members = Members::default();
        for entry in json::entries(json::get(presence, "hash")?).ok()? {
            let (id, info) = entry.ok()?;
            let mut id_json = String::new();
            json::write_string(&mut id_json, &id);
            members.upsert(Member {
                id: id.into_owned(),
                id_json,
                info_json: info.to_owned(),
            });
        }
        // A length always fits in 64 bits.
        let len = members.members.len() as u64;
        members.count = super::client::get_u64(presence, "count").unwrap_or(len);
        members.me = me.map(str::to_owned);
        Some(members)
    }

    /// Applies `member_added` `{user_id, user_info}`. A known id only gets its info
    /// updated; the count grows for new ids only. Returns the member as it now is, or
    /// `None` without a usable `user_id`.
    pub fn add(&mut self, data: &str) -> Option<Member> {
        self.apply(data, true)?
    }

    /// Applies `member_removed` `{user_id}`: the member removed, `Some(None)` for an
    /// unknown id (ignored), `None` without a usable `user_id`.
    pub fn remove(&mut self, data: &str) -> Option<Option<Member>> {
        self.apply(data, false)
    }

    /// [`Members::add`] (`added`) or [`Members::remove`]: one reader of the `user_id`
    /// and one search for it, shared by both events.
    pub(crate) fn apply(&mut self, data: &str, added: bool) -> Option<Option<Member>> {
        let id_json = json::get(data, "user_id")?;
        let id = id_text(id_json)?;
        if !added {
            let removed = self
                .members
                .iter()
                .position(|m| m.id == id)
                .and_then(|index| remove_at(&mut self.members, index));
            if removed.is_some() {
                self.count = self.count.saturating_sub(1);
            }
            return Some(removed);
        }
        let member = Member {
            id: id.into_owned(),
            id_json: id_json.to_owned(),
            info_json: json::get(data, "user_info").unwrap_or("null").to_owned(),
        };
        if self.upsert(member.clone()) {
            self.count = self.count.saturating_add(1);
        }
        Some(Some(member))
    }

    /// The member count (as reported by the server, then kept up to date).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// A member by id.
    pub fn get(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// This client's own member entry, once the server has listed it.
    pub fn me(&self) -> Option<&Member> {
        self.get(self.me.as_deref()?)
    }

    /// Every member, in the order the server listed or added them.
    pub fn iter(&self) -> impl Iterator<Item = &Member> {
        self.members.iter()
    }

    /// Sets the member with `member.id`, in place if known (true: it is new).
    fn upsert(&mut self, member: Member) -> bool {
        match self.members.iter_mut().find(|m| m.id == member.id) {
            Some(known) => {
                *known = member;
                false
            }
            None => {
                self.members.push(member);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUCCEEDED: &str = r#"{"presence":{"count":2,"ids":["1","2"],"hash":{"1":{"name":"Ann"},"2":{"name":"Bob"}}}}"#;

    #[test]
    fn builds_from_subscription() {
        let m = Members::from_subscription(SUCCEEDED, Some("1")).unwrap();
        assert_eq!(m.count(), 2);
        assert_eq!(m.me().unwrap().info_json, r#"{"name":"Ann"}"#);
        assert_eq!(m.iter().count(), 2);
        assert!(Members::from_subscription("{}", None).is_none());
    }

    #[test]
    fn add_remove_and_duplicates() {
        let mut m = Members::from_subscription(SUCCEEDED, Some("2")).unwrap();
        assert_eq!(m.me().unwrap().id, "2");
        let added = m.add(r#"{"user_id":3,"user_info":{"name":"Cy"}}"#).unwrap();
        assert_eq!((added.id.as_str(), added.id_json.as_str()), ("3", "3"));
        assert_eq!(m.count(), 3);
        m.add(r#"{"user_id":"3","user_info":{"name":"Cyd"}}"#)
            .unwrap();
        assert_eq!(m.count(), 3, "a known id updates, never double counts");
        assert_eq!(m.get("3").unwrap().info_json, r#"{"name":"Cyd"}"#);
        assert_eq!(m.remove(r#"{"user_id":"99"}"#), Some(None));
        assert_eq!(m.count(), 3);
        assert_eq!(m.remove(r#"{"user_id":3}"#).unwrap().unwrap().id, "3");
        assert_eq!(m.count(), 2);
        assert!(m.add(r#"{"user_info":{}}"#).is_none());
        assert!(m.remove(r#"{"user_id":{}}"#).is_none());
    }
}
