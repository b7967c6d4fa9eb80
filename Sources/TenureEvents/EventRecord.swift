/// Placeholder until the schema lands.
enum TenureEventsPlaceholder {}
