package stream

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// Event is one message of a streaming API: its name and its payload.
type Event struct {
	Name string
	Data string
}

// MaxEvent bounds one event (a status with its account and media is a few
// kilobytes; a megabyte means something is wrong).
const MaxEvent = 1 << 20

// ReadSSE reads a server-sent events stream (the WHATWG "event stream"
// format: "event:" and "data:" fields, several data lines joined by a
// newline, an event dispatched on a blank line, lines starting with ":"
// are comments such as Mastodon's ":thump" heartbeat) and calls fn for
// every event. It returns fn's error, the reader's, or io.ErrUnexpectedEOF
// when the stream ends (a stream is not meant to end).
func ReadSSE(r io.Reader, fn func(Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxEvent)
	var ev Event
	var data []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(data) > 0 {
				ev.Data = strings.Join(data, "\n")
				if ev.Name == "" {
					ev.Name = "message" // the format's default event type
				}
				if err := fn(ev); err != nil {
					return err
				}
			}
			ev, data = Event{}, nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Name = value
		case "data":
			data = append(data, value)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

// OpenSSE sends the GET that opens an event stream at u through client
// (whose Timeout must be 0: a stream outlives any call timeout) and returns
// the stream's body; ctx ending closes it. Only the wait for the answer's
// headers is timed (HandshakeTimeout).
func OpenSSE(ctx context.Context, client *http.Client, u string, header http.Header) (io.ReadCloser, error) {
	connCtx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(HandshakeTimeout, cancel)
	req, err := http.NewRequestWithContext(connCtx, http.MethodGet, u, nil)
	if err != nil {
		cancel()
		return nil, &network.Error{Kind: network.Permanent, Message: "the stream's address is not valid", Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	timer.Stop()
	if err != nil {
		cancel()
		return nil, network.AsError(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		cancel()
		return nil, network.FromResponse(resp, strings.TrimSpace(string(body)))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		resp.Body.Close()
		cancel()
		return nil, &network.Error{Kind: network.Permanent, Status: resp.StatusCode, Message: "the server answered with " + ct + ", not an event stream"}
	}
	return &cancelBody{ReadCloser: resp.Body, cancel: cancel}, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel func()
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// Watchdog calls expire when kick has not been called for idle: a stream
// whose server stopped sending heartbeats (Mastodon's SSE comments every
// 15 s, WebSocket pings) is a dead connection that TCP alone may not notice
// for hours. stop ends the watch.
func Watchdog(idle time.Duration, expire func()) (kick func(), stop func()) {
	t := time.AfterFunc(idle, expire)
	return func() { t.Reset(idle) }, func() { t.Stop() }
}
