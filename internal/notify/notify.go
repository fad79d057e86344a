// Package notify tells people what needs them: an in-app notification
// always, and an e-mail (sent by a River job, so a slow SMTP server never
// blocks publishing) when SMTP is configured.
package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/wneessen/go-mail"

	"github.com/tribune-social/tribune/internal/i18n"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
)

// SMTP is the mail server configuration; an empty Host turns e-mail off.
type SMTP struct {
	Host, User, Password, From string
	Port                       int
	PublicURL                  string
}

// Notifier implements publish.Notifier.
type Notifier struct {
	Store store.Store
	SMTP  SMTP
	Now   func() time.Time
}

// EmailArgs is the job that sends one notification e-mail.
type EmailArgs struct {
	UserID int64  `json:"user_id"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	PostID int64  `json:"post_id"`
	WsID   int64  `json:"workspace_id"`
}

// Kind implements river.JobArgs.
func (EmailArgs) Kind() string { return "notify_email" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (EmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: "notify", MaxAttempts: 8}
}

// Notify implements publish.Notifier.
func (n *Notifier) Notify(ctx context.Context, msg publish.Notification) error {
	return n.notify(ctx, n.Store, n.Store.Jobs().Insert, msg)
}

// NotifyTx is Notify in the caller's transaction: the notification and its
// e-mail exist if and only if tx commits (an inbox rule's assignment is
// told with the items it assigned).
func (n *Notifier) NotifyTx(ctx context.Context, tx store.Tx, msg publish.Notification) error {
	return n.notify(ctx, tx, tx.InsertJob, msg)
}

func (n *Notifier) notify(ctx context.Context, q store.Queries, insert func(context.Context, river.JobArgs, *river.InsertOpts) (int64, error), msg publish.Notification) error {
	var post *int64
	if msg.PostID != 0 {
		post = &msg.PostID
	}
	if err := q.AddNotification(ctx, store.AddNotificationParams{UserID: msg.UserID, WorkspaceID: msg.WorkspaceID, PostID: post,
		Kind: string(msg.Kind), Title: msg.Title, Body: msg.Body, CreatedAt: n.Now().UTC()}); err != nil {
		return err
	}
	if n.SMTP.Host == "" {
		return nil
	}
	_, err := insert(ctx, EmailArgs{UserID: msg.UserID, Title: msg.Title, Body: msg.Body, PostID: msg.PostID, WsID: msg.WorkspaceID}, nil)
	return err
}

// MaxListed bounds the notifications one page shows.
const MaxListed = 100

// List returns the user's latest notifications, newest first.
func (n *Notifier) List(ctx context.Context, user store.User) ([]store.Notification, error) {
	list, err := n.Store.ListNotifications(ctx, store.ListNotificationsParams{UserID: user.ID, MaxRows: MaxListed})
	if list == nil {
		list = []store.Notification{} // an empty list, not null, in JSON
	}
	return list, err
}

// MarkRead marks every notification of the user as read.
func (n *Notifier) MarkRead(ctx context.Context, user store.User) error {
	now := n.Now().UTC()
	return n.Store.MarkNotificationsRead(ctx, store.MarkNotificationsReadParams{ReadAt: &now, UserID: user.ID})
}

// Unread counts the user's unread notifications.
func (n *Notifier) Unread(ctx context.Context, user store.User) (int64, error) {
	return n.Store.CountUnreadNotifications(ctx, user.ID)
}

// Register adds the e-mail worker.
func (n *Notifier) Register(workers *river.Workers) {
	river.AddWorker(workers, &emailWorker{n: n})
}

type emailWorker struct {
	river.WorkerDefaults[EmailArgs]
	n *Notifier
}

func (w *emailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	u, err := w.n.Store.GetUser(ctx, job.Args.UserID)
	if err != nil {
		return err
	}
	// The message goes out in the recipient's language, as the page shows it.
	body := Text(u.Locale, job.Args.Body)
	if job.Args.PostID != 0 {
		body += fmt.Sprintf("\n\n%s/w/%d/posts/%d", w.n.SMTP.PublicURL, job.Args.WsID, job.Args.PostID)
	}
	return w.n.SMTP.Send(ctx, u.Email, "[Tribune] "+Text(u.Locale, job.Args.Title), body)
}

// Send delivers one plain-text e-mail through the configured server.
func (cfg SMTP) Send(ctx context.Context, to, subject, body string) error {
	m := mail.NewMsg()
	if err := m.From(cfg.From); err != nil {
		return err
	}
	if err := m.To(to); err != nil {
		return err
	}
	m.Subject(subject)
	m.SetBodyString(mail.TypeTextPlain, body)
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTLSPolicy(mail.TLSOpportunistic)}
	if cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(cfg.User), mail.WithPassword(cfg.Password))
	}
	c, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, m)
}

// Sentences are the English texts Tribune stores for people to read later
// (notification titles and bodies, the comments an approval writes), each
// with at most one %s for the name or the words it carries. They are stored
// in English and translated when shown or mailed (Text): a stored text is
// matched against these and its %s part carried over; any other text (a
// person's comment, a network's own words) is shown as written. Storing a
// key and its arguments instead would need a column per argument; one
// carried value covers every text Tribune writes.
var Sentences = []string{
	"Post approved by %s", "Post rejected by %s", "Publishing paused by %s", "Publishing resumed by %s", "%s asks for approval",
	"Outcome unknown on %s", "Publishing failed on %s",
	"Every due post of %s is held until publishing resumes.",
	"Publishing in %s goes on; held posts you did not send are back to drafts.",
	"A post waits for your approval.", "Approved.", "Approved: %s", "Rejected: %s",
	"Outcome unknown — check the network before re-posting: %s",
	"Webhook disabled: %s",
	"Tribune disabled this webhook after its deliveries failed for days. Fix the receiver, then enable it again on the Webhooks page.",
	"The network refused the channel's credentials; reconnect the channel. (%s)",
	"Inbox items assigned to you by %s", "Open the inbox to answer them.",
	"Crisis mode: %s", "Publishing is paused and the crisis cell is open: %s",
	"Listening alert: %s", "Open the alerts page to see it.",
}

// Text translates a stored text into lang as described at Sentences.
func Text(lang, s string) string {
	// Sentences[i], not a loop variable: the catalogue's test then checks
	// every sentence has its translation.
	for i := range Sentences {
		pre, post, hasArg := strings.Cut(Sentences[i], "%s")
		if !hasArg {
			if s == Sentences[i] {
				return i18n.T(lang, Sentences[i])
			}
			continue
		}
		if len(s) > len(pre)+len(post) && strings.HasPrefix(s, pre) && strings.HasSuffix(s, post) {
			return i18n.T(lang, Sentences[i], s[len(pre):len(s)-len(post)])
		}
	}
	return s
}
