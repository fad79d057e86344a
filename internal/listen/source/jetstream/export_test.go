package jetstream

// LegacyDictionary is v1's embedded dictionary, for the fake server.
var LegacyDictionary = legacyDictionary
