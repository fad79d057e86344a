package stream_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/network/stream"
)

func TestReadSSE(t *testing.T) {
	t.Parallel()
	in := ":thump\n\nevent: update\ndata: {\"id\":\"1\"}\n\n:thump\nevent: delete\ndata: 42\n\ndata: line one\ndata: line two\n\nevent: notification\ndata:{\"x\":1}\n\nevent: cut"
	var got []stream.Event
	err := stream.ReadSSE(strings.NewReader(in), func(e stream.Event) error { got = append(got, e); return nil })
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ReadSSE = %v, want io.ErrUnexpectedEOF at the end of the stream", err)
	}
	want := []stream.Event{{"update", `{"id":"1"}`}, {"delete", "42"}, {"message", "line one\nline two"}, {"notification", `{"x":1}`}}
	if !slices.Equal(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
}

var localClient = func() *http.Client {
	c := httpx.NewClient(httpx.Options{AllowPrivate: true})
	c.Timeout = 0
	return c
}()

// The client is checked against golang.org/x/net/websocket's server, an
// implementation it shares nothing with.
func TestWebSocketAgainstAnotherImplementation(t *testing.T) {
	t.Parallel()
	gotAuth := make(chan string, 1)
	echoed := make(chan string, 2)
	srv := httptest.NewServer(websocket.Server{Handler: func(c *websocket.Conn) {
		gotAuth <- c.Request().Header.Get("Authorization")
		for range 2 {
			var in string
			if err := websocket.Message.Receive(c, &in); err != nil {
				t.Error(err)
				return
			}
			echoed <- in
		}
		for _, m := range []string{`{"event":"update"}`, strings.Repeat("x", 70_000)} {
			if err := websocket.Message.Send(c, m); err != nil {
				return
			}
		}
		c.Close()
	}})
	defer srv.Close()
	ws, err := stream.DialWebSocket(context.Background(), localClient, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/v1/streaming?stream=user", http.Header{"Authorization": {"Bearer tok"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if got := <-gotAuth; got != "Bearer tok" {
		t.Errorf("Authorization = %q", got)
	}
	// What the client writes (a subscription) reaches the server whole,
	// short or long.
	for _, m := range []string{`{"type":"subscribe","stream":"direct"}`, strings.Repeat("y", 300)} {
		if err := ws.WriteText([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if got := <-echoed; got != m {
			t.Errorf("the server read %.40q, want %.40q", got, m)
		}
	}
	for _, want := range []string{`{"event":"update"}`, strings.Repeat("x", 70_000)} {
		msg, err := ws.Read(nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(msg) != want {
			t.Errorf("message of %d bytes, want %d", len(msg), len(want))
		}
	}
	if _, err := ws.Read(nil); err == nil {
		t.Error("Read after the server closed = nil error")
	}
}

// rawServer upgrades by hand and writes frames as given, to test what
// x/net's server never sends: pings, fragments, a close code.
func rawServer(t *testing.T, play func(w *bufio.ReadWriter)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
		rw.Flush()
		play(rw)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func frame(fin bool, op byte, payload string) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	return append([]byte{b0, byte(len(payload))}, payload...)
}

// readClientFrame reads a frame from the client, which must be masked.
func readClientFrame(t *testing.T, r *bufio.ReadWriter) (op byte, payload []byte) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		t.Fatal(err)
	}
	if h[1]&0x80 == 0 {
		t.Error("the client sent an unmasked frame")
	}
	var mask [4]byte
	io.ReadFull(r, mask[:])
	payload = make([]byte, h[1]&0x7F)
	io.ReadFull(r, payload)
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return h[0] & 0x0F, payload
}

func TestWebSocketAnswersPingsJoinsFragmentsAndHearsTheClose(t *testing.T) {
	t.Parallel()
	pong := make(chan string, 1)
	srv := rawServer(t, func(rw *bufio.ReadWriter) {
		rw.Write(frame(true, 0x9, "are you there"))
		rw.Flush()
		op, p := readClientFrame(t, rw)
		if op != 0xA {
			t.Errorf("answer to a ping: opcode %#x, want a pong", op)
		}
		pong <- string(p)
		rw.Write(frame(false, 0x1, `{"event":`))
		rw.Write(frame(true, 0x9, "mid-message ping"))
		rw.Write(frame(true, 0x0, `"update"}`))
		rw.Write(frame(true, 0x8, string(binary.BigEndian.AppendUint16(nil, 1001))))
		rw.Flush()
		readClientFrame(t, rw) // pong
		if op, p := readClientFrame(t, rw); op != 0x8 || binary.BigEndian.Uint16(p) != 1001 {
			t.Errorf("closing handshake: opcode %#x payload %v, want the close echoed", op, p)
		}
	})
	ws, err := stream.DialWebSocket(context.Background(), localClient, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	frames := 0
	msg, err := ws.Read(func() { frames++ })
	if err != nil {
		t.Fatal(err)
	}
	if got := <-pong; got != "are you there" {
		t.Errorf("pong carried %q, want the ping's payload", got)
	}
	if string(msg) != `{"event":"update"}` {
		t.Errorf("message %q", msg)
	}
	if frames != 4 {
		t.Errorf("%d frames reported, want 4", frames)
	}
	if _, err := ws.Read(nil); !errors.Is(err, stream.ErrClosed) || !strings.Contains(err.Error(), "1001") {
		t.Errorf("Read = %v, want ErrClosed with code 1001", err)
	}
}

func TestWebSocketRefusesAServerThatDoesNotUpgrade(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Upgrade", "websocket")
		w.WriteHeader(http.StatusSwitchingProtocols) // without the accept key
	}))
	defer srv.Close()
	if _, err := stream.DialWebSocket(context.Background(), localClient, srv.URL, nil); err == nil {
		t.Error("a handshake without Sec-WebSocket-Accept was accepted")
	}
	refused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"The access token is invalid"}`, http.StatusUnauthorized)
	}))
	defer refused.Close()
	_, err := stream.DialWebSocket(context.Background(), localClient, refused.URL, nil)
	if err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("DialWebSocket = %v, want an unauthorized network error", err)
	}
}

// The stream goes through the caller's guarded client: the rules that keep
// Tribune off private addresses hold for WebSockets and event streams too.
func TestStreamsKeepTheGuardedClientsRules(t *testing.T) {
	t.Parallel()
	srv := rawServer(t, func(*bufio.ReadWriter) {})
	guarded := httpx.NewClient(httpx.Options{})
	guarded.Timeout = 0
	if _, err := stream.DialWebSocket(context.Background(), guarded, srv.URL, nil); err == nil || !httpx.Blocked(errors.Unwrap(err)) {
		t.Errorf("DialWebSocket to a loopback address = %v, want it refused by the guard", err)
	}
	if _, err := stream.OpenSSE(context.Background(), guarded, srv.URL, nil); err == nil || !httpx.Blocked(errors.Unwrap(err)) {
		t.Errorf("OpenSSE to a loopback address = %v, want it refused by the guard", err)
	}
}

func TestWebSocketClosesWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	closed := make(chan byte, 1)
	srv := rawServer(t, func(rw *bufio.ReadWriter) {
		op, _ := readClientFrame(t, rw)
		closed <- op
	})
	ctx, cancel := context.WithCancel(context.Background())
	ws, err := stream.DialWebSocket(ctx, localClient, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case op := <-closed:
		if op != 0x8 {
			t.Errorf("the client sent opcode %#x, want a close", op)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection stayed open after its context ended")
	}
	if _, err := ws.Read(nil); err == nil {
		t.Error("Read on a closed connection = nil error")
	}
}

// The subprotocol the server chose is known, the client's pings are
// answered (and reported like any frame), and the read limit can be raised
// for a stream whose messages are larger (the AT Protocol firehose).
func TestWebSocketSubprotocolPingAndReadLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("z", stream.MaxEvent+10)
	srv := httptest.NewServer(websocket.Server{
		Handshake: func(cfg *websocket.Config, r *http.Request) error {
			cfg.Protocol = []string{"xrpc.v1.json"}
			return nil
		},
		Handler: func(c *websocket.Conn) {
			websocket.Message.Send(c, big)
			websocket.Message.Send(c, big)
			var sink []byte
			for websocket.Message.Receive(c, &sink) == nil { // answers pings
			}
		},
	})
	defer srv.Close()
	ws, err := stream.DialWebSocket(context.Background(), localClient, srv.URL, http.Header{"Sec-WebSocket-Protocol": {"xrpc.v1.json"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ws.Protocol() != "xrpc.v1.json" {
		t.Errorf("Protocol() = %q", ws.Protocol())
	}
	if _, err := ws.Read(nil); err == nil {
		t.Error("a message over MaxEvent was read with the default limit")
	}
	ws2, err := stream.DialWebSocket(context.Background(), localClient, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	ws2.SetReadLimit(2 * stream.MaxEvent)
	if msg, err := ws2.Read(nil); err != nil || len(msg) != len(big) {
		t.Fatalf("Read with a raised limit = %d bytes, %v", len(msg), err)
	}
	if _, err := ws2.Read(nil); err != nil {
		t.Fatal(err)
	}
	if err := ws2.Ping(); err != nil {
		t.Fatal(err)
	}
	frames := make(chan struct{}, 1)
	go ws2.Read(func() {
		select {
		case frames <- struct{}{}:
		default:
		}
	})
	select {
	case <-frames: // the pong: the server sends nothing else
	case <-time.After(30 * time.Second):
		t.Fatal("the ping got no pong")
	}
}
