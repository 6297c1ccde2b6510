package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the caller's address for limits and the audit log: the
// connection's peer, unless the peer is a trusted proxy (Options.TrustProxy,
// Options.TrustedProxies). Then X-Forwarded-For is read from the right —
// each proxy appends the address it received the request from — past the
// trusted proxies, and the first address that is not one of them is the
// client. Entries to its left were sent by the client itself and are never
// believed: a forged header cannot escape the per-address limit.
func (s *server) clientIP(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	if !s.opt.TrustProxy && len(s.opt.TrustedProxies) == 0 {
		return peer
	}
	if !s.trustedProxy(peer, true) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		entries := strings.Split(hops[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			e := strings.TrimSpace(entries[j])
			addr, err := netip.ParseAddr(e)
			if err != nil {
				// Not an address: written by someone we do not trust.
				return client
			}
			client = addr.Unmap().String()
			if !s.trustedProxy(client, false) {
				return client
			}
		}
	}
	return client
}

// trustedProxy reports whether addr is a proxy in front of the server. With
// TrustProxy alone, the connection's peer is the one proxy (peer true) and
// no address of the header is.
func (s *server) trustedProxy(addr string, peer bool) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.opt.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return peer && s.opt.TrustProxy && len(s.opt.TrustedProxies) == 0
}
