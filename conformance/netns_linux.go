//go:build linux

package conformance

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// tunName is the TUN device's name inside a scenario's namespace.
const tunName = "tw0"

// setupNamespace prepares the child's private network namespace: it pins
// the sysctls (DefaultSysctls, then the script's), brings lo up, creates
// the TUN device (IFF_TUN|IFF_NO_PI: bare IPv4 datagrams), gives it
// KernelAddr()/24 and brings it up, so that the kernel routes PeerAddr()
// through it. It returns the device and the sysctls as read back. Every
// change is local to the namespace, which the kernel deletes, with the
// device and any TIME_WAIT entries, when the child exits.
func setupNamespace(sysctls map[string]string) (*os.File, map[string]string, error) {
	applied, err := pinSysctls(sysctls)
	if err != nil {
		return nil, nil, err
	}
	ctl, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("control socket: %v", err)
	}
	defer unix.Close(ctl)
	if err := ifUp(ctl, "lo"); err != nil {
		return nil, nil, err
	}
	tun, err := openTUN(tunName)
	if err != nil {
		return nil, nil, err
	}
	if err := ifAddr(ctl, tunName, unix.SIOCSIFADDR, KernelAddr().As4()); err != nil {
		tun.Close()
		return nil, nil, err
	}
	if err := ifAddr(ctl, tunName, unix.SIOCSIFNETMASK, [4]byte{255, 255, 255, 0}); err != nil {
		tun.Close()
		return nil, nil, err
	}
	if err := ifUp(ctl, tunName); err != nil {
		tun.Close()
		return nil, nil, err
	}
	return tun, applied, nil
}

// pinSysctls writes the default sysctls and then the script's, and reads
// every one back. A default the kernel lacks (no IPv6) is skipped; a
// script's sysctl that cannot be written is an error, since the scenario
// depends on it. Only sysctls the namespace has are visible under
// /proc/sys/net in it, so nothing outside the namespace can change.
func pinSysctls(script map[string]string) (map[string]string, error) {
	applied := map[string]string{}
	defaults := DefaultSysctls()
	for _, k := range sortedKeys(defaults) {
		if _, ok := script[k]; ok {
			continue
		}
		if err := writeSysctl(k, defaults[k]); errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		applied[k] = readSysctl(k)
	}
	for _, k := range sortedKeys(script) {
		if err := writeSysctl(k, script[k]); err != nil {
			return nil, err
		}
		applied[k] = readSysctl(k)
	}
	return applied, nil
}

func writeSysctl(key, value string) error {
	if err := os.WriteFile("/proc/sys/"+key, []byte(value+"\n"), 0); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}

func readSysctl(key string) string {
	b, err := os.ReadFile("/proc/sys/" + key)
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// openTUN creates the TUN device and returns it as a non-blocking file
// served by Go's poller (so reads have deadlines and Close unblocks them).
func openTUN(name string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("TUN name %q: %v", name, err)
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("TUNSETIFF %s: %w", name, err)
	}
	return os.NewFile(uintptr(fd), "/dev/net/tun"), nil
}

// ifAddr sets an interface's address or netmask (req is SIOCSIFADDR or
// SIOCSIFNETMASK).
func ifAddr(ctl int, name string, req uint, a [4]byte) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("interface %q: %v", name, err)
	}
	if err := ifr.SetInet4Addr(a[:]); err != nil {
		return fmt.Errorf("interface %q: %v", name, err)
	}
	if err := unix.IoctlIfreq(ctl, req, ifr); err != nil {
		return fmt.Errorf("setting %v on %s (ioctl %#x): %w", a, name, req, err)
	}
	return nil
}

// ifUp sets IFF_UP on an interface.
func ifUp(ctl int, name string) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("interface %q: %v", name, err)
	}
	if err := unix.IoctlIfreq(ctl, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("reading %s's flags: %w", name, err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(ctl, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bringing %s up: %w", name, err)
	}
	return nil
}

// tunWire is the peer's side of the TUN device: a goroutine reads every
// datagram as it comes, stamps it, and queues it for the executor.
type tunWire struct {
	packetQueue
	f *os.File
}

func newTunWire(f *os.File) *tunWire {
	w := &tunWire{packetQueue: newPacketQueue(), f: f}
	go w.readLoop()
	return w
}

func (w *tunWire) readLoop() {
	defer close(w.ch)
	buf := make([]byte, 65536)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return
		}
		w.ch <- packet{at: time.Now(), data: append([]byte(nil), buf[:n]...)}
	}
}

func (w *tunWire) write(b []byte) error {
	_, err := w.f.Write(b)
	return err
}

// close stops the reader.
func (w *tunWire) close() { w.f.Close() }
