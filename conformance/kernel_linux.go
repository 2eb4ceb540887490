//go:build linux

package conformance

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// linuxHost is the kernel's application: plain sockets made with
// unix.Socket (no Go runtime keepalive, non-blocking so a connect or an
// accept never holds up the script), and the socket table of the
// namespace's /proc/self/net/tcp.
type linuxHost struct {
	ep       endpoints
	listener int // -1: none
	conn     int // -1: none
}

func newLinuxHost(ep endpoints) *linuxHost { return &linuxHost{ep: ep, listener: -1, conn: -1} }

func (h *linuxHost) do(op appOp) error {
	switch op.name {
	case "listen":
		return h.listen()
	case "connect":
		return h.connect()
	case "accept":
		return h.accept()
	case "close":
		return h.closeConn(false)
	case "abort":
		return h.closeConn(true)
	case "close-listener":
		if h.listener < 0 {
			return fmt.Errorf("close-listener: no listening socket (run app listen first)")
		}
		err := unix.Close(h.listener)
		h.listener = -1
		return err
	case "read":
		return h.read()
	case "write":
		return h.write(op.n)
	}
	return fmt.Errorf("unknown app action %q", op.name)
}

// newSocket makes a non-blocking TCP socket bound to the kernel's address
// and port, with SO_REUSEADDR so that a port held by a TIME_WAIT entry can
// be bound again.
func (h *linuxHost) newSocket() (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %v", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("SO_REUSEADDR: %v", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: int(h.ep.kernel.Port()), Addr: h.ep.kernel.Addr().As4()}); err != nil {
		unix.Close(fd)
		return -1, &kernelRefused{fmt.Errorf("bind %s: %v", h.ep.kernel, err)}
	}
	return fd, nil
}

func (h *linuxHost) listen() error {
	if h.listener >= 0 {
		return fmt.Errorf("listen: already listening")
	}
	fd, err := h.newSocket()
	if err != nil {
		return err
	}
	if err := unix.Listen(fd, 8); err != nil {
		unix.Close(fd)
		return &kernelRefused{fmt.Errorf("listen: %v", err)}
	}
	h.listener = fd
	return nil
}

func (h *linuxHost) connect() error {
	if h.conn >= 0 {
		return fmt.Errorf("connect: a connection socket is already open (close it first)")
	}
	fd, err := h.newSocket()
	if err != nil {
		return err
	}
	err = unix.Connect(fd, &unix.SockaddrInet4{Port: int(h.ep.peer.Port()), Addr: h.ep.peer.Addr().As4()})
	if err != nil && !errors.Is(err, unix.EINPROGRESS) {
		unix.Close(fd)
		return &kernelRefused{fmt.Errorf("connect %s: %v", h.ep.peer, err)}
	}
	h.conn = fd
	return nil
}

// accept takes the next established connection from the listener, waiting
// up to acceptWait for the handshake to complete.
func (h *linuxHost) accept() error {
	if h.listener < 0 {
		return fmt.Errorf("accept: no listening socket (run app listen first)")
	}
	if h.conn >= 0 {
		return fmt.Errorf("accept: a connection socket is already open (close it first)")
	}
	deadline := time.Now().Add(acceptWait)
	for {
		fd, _, err := unix.Accept4(h.listener, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err == nil {
			h.conn = fd
			return nil
		}
		if !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINTR) {
			return &kernelRefused{fmt.Errorf("accept: %v", err)}
		}
		left := time.Until(deadline)
		if left <= 0 {
			return &kernelRefused{fmt.Errorf("accept: no established connection within %s", acceptWait)}
		}
		pfd := []unix.PollFd{{Fd: int32(h.listener), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, int(left/time.Millisecond)+1); err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("accept: poll: %v", err)
		}
	}
}

// closeConn closes the connection socket; with abort it first sets
// SO_LINGER {on, 0 s}, which turns close into an abort (RST, no FIN).
func (h *linuxHost) closeConn(abort bool) error {
	if h.conn < 0 {
		return fmt.Errorf("close: no connection socket (run app accept or connect first)")
	}
	if abort {
		if err := unix.SetsockoptLinger(h.conn, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0}); err != nil {
			return fmt.Errorf("SO_LINGER: %v", err)
		}
	}
	err := unix.Close(h.conn)
	h.conn = -1
	if err != nil {
		return fmt.Errorf("close: %v", err)
	}
	return nil
}

// read drains what the connection has received, without waiting.
func (h *linuxHost) read() error {
	if h.conn < 0 {
		return fmt.Errorf("read: no connection socket")
	}
	buf := make([]byte, 4096)
	for {
		n, _, err := unix.Recvfrom(h.conn, buf, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) || err == nil && n == 0 {
			return nil
		}
		if err != nil {
			return &kernelRefused{fmt.Errorf("read: %v", err)}
		}
	}
}

func (h *linuxHost) write(n int) error {
	if h.conn < 0 {
		return fmt.Errorf("write: no connection socket")
	}
	m, err := unix.Write(h.conn, payload(n))
	if err != nil {
		return &kernelRefused{fmt.Errorf("write: %v", err)}
	}
	if m != n {
		return &kernelRefused{fmt.Errorf("write: %d of %d octets accepted", m, n)}
	}
	return nil
}

func (h *linuxHost) sockets() ([]Socket, error) {
	f, err := os.Open("/proc/self/net/tcp")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseProcNetTCP(f)
}
