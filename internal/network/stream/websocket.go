package stream

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/network"
)

// A WebSocket client (RFC 6455) that reads text messages, enough for a
// streaming API that pushes JSON.
//
// Why not golang.org/x/net/websocket (already in go.mod): it dials the
// connection itself (net.Dialer, tls.Dial), which would bypass httpx's
// guarded client (https only, no private addresses, the address checked
// after DNS). Here the opening handshake is an ordinary HTTP request sent
// through the caller's *http.Client, whose transport hands back the
// upgraded connection (net/http gives a 101 answer's Body as an
// io.ReadWriteCloser), so every rule of the guarded client holds for the
// stream too; what remains, the framing, is small.

// websocketGUID is the RFC 6455 constant the accept key is derived with.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// HandshakeTimeout bounds the opening handshake.
const HandshakeTimeout = 30 * time.Second

// WebSocket is an open client connection.
type WebSocket struct {
	rwc    io.ReadWriteCloser
	r      *bufio.Reader
	wmu    sync.Mutex
	closed chan struct{}
	once   sync.Once
	stop   func()
	limit  int
	proto  string
}

// DialWebSocket opens a WebSocket at u (ws://, wss://, http:// or
// https://) through client, sending header with the handshake. client's
// Timeout must be 0 (a stream outlives any call timeout); ctx ending
// closes the connection.
func DialWebSocket(ctx context.Context, client *http.Client, u string, header http.Header) (*WebSocket, error) {
	switch {
	case strings.HasPrefix(u, "wss://"):
		u = "https://" + strings.TrimPrefix(u, "wss://")
	case strings.HasPrefix(u, "ws://"):
		u = "http://" + strings.TrimPrefix(u, "ws://")
	}
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	// The connection lives in connCtx; the handshake alone is timed.
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
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", key)
	resp, err := client.Do(req)
	timer.Stop()
	if err != nil {
		cancel()
		return nil, network.AsError(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		cancel()
		return nil, network.FromResponse(resp, strings.TrimSpace(string(body)))
	}
	rwc, ok := resp.Body.(io.ReadWriteCloser)
	sum := sha1.Sum([]byte(key + websocketGUID))
	if !ok || !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") ||
		resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		resp.Body.Close()
		cancel()
		return nil, &network.Error{Kind: network.Temporary, Status: resp.StatusCode, Message: "the server did not complete the WebSocket handshake"}
	}
	ws := &WebSocket{rwc: rwc, r: bufio.NewReader(rwc), closed: make(chan struct{}), stop: cancel,
		limit: MaxEvent, proto: resp.Header.Get("Sec-WebSocket-Protocol")}
	// Whether net/http closes an upgraded connection when the request's
	// context ends is not documented: close it ourselves.
	go func() {
		select {
		case <-connCtx.Done():
			ws.Close()
		case <-ws.closed:
		}
	}()
	return ws, nil
}

// The frame opcodes.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// ErrClosed is returned by Read once the server closed the connection.
var ErrClosed = errors.New("stream: the server closed the WebSocket")

// Read returns the next text or binary message, answering pings on the
// way. Activity (any frame) is reported to onFrame, when set, so a caller
// can tell a live connection from a silent one.
func (ws *WebSocket) Read(onFrame func()) ([]byte, error) {
	var msg []byte
	started := false
	for {
		fin, op, payload, err := ws.frame()
		if err != nil {
			return nil, err
		}
		if onFrame != nil {
			onFrame()
		}
		switch op {
		case opPing:
			if err := ws.write(opPong, payload); err != nil {
				return nil, err
			}
			continue
		case opPong:
			continue
		case opClose:
			ws.closeWith(payload) // the closing handshake: echo the code
			if len(payload) >= 2 {
				return nil, fmt.Errorf("%w (code %d)", ErrClosed, binary.BigEndian.Uint16(payload))
			}
			return nil, ErrClosed
		case opText, opBinary:
			if started {
				return nil, errors.New("stream: a WebSocket message began inside another")
			}
			started = true
		case opContinuation:
			if !started {
				return nil, errors.New("stream: a WebSocket continuation without a message")
			}
		default:
			return nil, fmt.Errorf("stream: unknown WebSocket opcode %#x", op)
		}
		if len(msg)+len(payload) > ws.limit {
			return nil, errors.New("stream: a WebSocket message larger than the limit")
		}
		msg = append(msg, payload...)
		if fin {
			return msg, nil
		}
	}
}

// frame reads one frame. A server's frames are never masked (RFC 6455
// 5.1); one that is ends the connection.
func (ws *WebSocket) frame() (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(ws.r, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0F
	if h[1]&0x80 != 0 {
		return false, 0, nil, errors.New("stream: the server sent a masked WebSocket frame")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(ws.r, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(ws.r, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > uint64(ws.limit) {
		return false, 0, nil, errors.New("stream: a WebSocket frame larger than the limit")
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(ws.r, payload)
	return
}

// SetReadLimit bounds one message (default MaxEvent). The AT Protocol
// firehose sends commits with up to 2 MB of blocks, over the default.
func (ws *WebSocket) SetReadLimit(n int) { ws.limit = n }

// Protocol is the subprotocol the server selected in its handshake answer
// (Sec-WebSocket-Protocol), "" when it chose none.
func (ws *WebSocket) Protocol() string { return ws.proto }

// Ping sends a ping. A live server answers with a pong, which Read reports
// to onFrame like any frame: a client that pings a quiet stream can tell it
// from a dead connection.
func (ws *WebSocket) Ping() error { return ws.write(opPing, nil) }

// WriteText sends a text message (a subscription request, for instance).
func (ws *WebSocket) WriteText(p []byte) error { return ws.write(opText, p) }

// write sends one frame, masked as a client must (RFC 6455 5.3).
func (ws *WebSocket) write(op byte, payload []byte) error {
	if op >= opClose && len(payload) > 125 {
		payload = payload[:125] // a control frame holds 125 bytes at most
	}
	frame := make([]byte, 0, 14+len(payload))
	switch n := len(payload); {
	case n <= 125:
		frame = append(frame, 0x80|op, 0x80|byte(n))
	case n <= 0xFFFF:
		frame = append(frame, 0x80|op, 0x80|126)
		frame = binary.BigEndian.AppendUint16(frame, uint16(n))
	default:
		frame = append(frame, 0x80|op, 0x80|127)
		frame = binary.BigEndian.AppendUint64(frame, uint64(n))
	}
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	frame = append(frame, mask[:]...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	ws.wmu.Lock()
	defer ws.wmu.Unlock()
	_, err := ws.rwc.Write(frame)
	return err
}

// Close ends the connection, saying so to the server first (1000, normal
// closure) when it is still open.
func (ws *WebSocket) Close() error { return ws.closeWith([]byte{0x03, 0xE8}) }

func (ws *WebSocket) closeWith(code []byte) error {
	var err error
	ws.once.Do(func() {
		_ = ws.write(opClose, code)
		err = ws.rwc.Close()
		close(ws.closed)
		ws.stop()
	})
	return err
}
