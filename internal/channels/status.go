package channels

// Status says whether a channel can publish (channels.status, a plain string
// in the store's rows).
type Status string

// The channel statuses.
const (
	// Active channels publish.
	Active Status = "active"
	// Reconnect channels had their credentials refused by the network: the
	// user must connect the account again.
	Reconnect Status = "reconnect"
)
