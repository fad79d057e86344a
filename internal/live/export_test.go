package live

// ListenerPID is the backend of the listening connection, for tests that
// kill it.
func (b *Broker) ListenerPID() uint32 { return b.pg.listenerPID() }
