// Event names as laravel-echo formats them: `OrderShipped` → `App\Events\OrderShipped`.

export class EventFormatter {
    /** @param {string | false | undefined} namespace prefixed to names, `.` separated */
    constructor(namespace) {
        this.namespace = namespace;
    }

    // A name starting with `.` or `\` is taken as it is, without that character.
    // Otherwise the namespace (if any) goes in front, and every `.` becomes `\`.
    format(event) {
        if (event.charAt(0) == '.' || event.charAt(0) == '\\') return event.substring(1);
        if (this.namespace) event = this.namespace + '.' + event;
        return event.replace(/\./g, '\\');
    }

    setNamespace(value) {
        this.namespace = value;
    }
}
