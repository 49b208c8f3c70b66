package db

import (
	"net/url"
	"strings"
)

// target is what error messages may say about a DSN: where, never the
// password.
type target struct {
	host   string // host[:port], socket or file; "" if unknown
	secret string // the password, to scrub from driver messages
}

// describeDSN extracts the host and password of a PostgreSQL URL or
// keyword/value DSN, a go-sql-driver MySQL DSN or an SQLite file name.
func describeDSN(d Dialect, dsn string) target {
	if strings.Contains(dsn, "://") {
		if u, err := url.Parse(dsn); err == nil {
			t := target{host: u.Host}
			if u.User != nil {
				t.secret, _ = u.User.Password()
			}
			return t
		}
		return target{}
	}
	switch d {
	case Postgres:
		return describeKeywordDSN(dsn)
	case MySQL:
		return describeMySQLDSN(dsn)
	case SQLite:
		f := strings.TrimPrefix(dsn, "file:")
		if i := strings.IndexByte(f, '?'); i >= 0 {
			f = f[:i]
		}
		return target{host: f}
	}
	return target{}
}

// describeKeywordDSN reads "host=h port=p password='x y'".
func describeKeywordDSN(dsn string) target {
	var t target
	var port string
	s := dsn
	for {
		s = strings.TrimLeft(s, " \t\n")
		if s == "" {
			break
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		key := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, "'") {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
					b.WriteByte(s[i])
					continue
				}
				if s[i] == '\'' {
					break
				}
				b.WriteByte(s[i])
			}
			val = b.String()
			s = s[min(i+1, len(s)):]
		} else {
			end := strings.IndexAny(s, " \t\n")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		switch key {
		case "host":
			t.host = val
		case "port":
			port = val
		case "password":
			t.secret = val
		}
	}
	if port != "" && t.host != "" && !strings.Contains(t.host, ",") {
		t.host += ":" + port
	}
	return t
}

// describeMySQLDSN reads "user:pass@tcp(host:port)/db?params".
func describeMySQLDSN(dsn string) target {
	var t target
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		return t
	}
	head := dsn[:slash]
	if at := strings.LastIndexByte(head, '@'); at >= 0 {
		if c := strings.IndexByte(head[:at], ':'); c >= 0 {
			t.secret = head[c+1 : at]
		}
		head = head[at+1:]
	}
	if o := strings.IndexByte(head, '('); o >= 0 && strings.HasSuffix(head, ")") {
		t.host = head[o+1 : len(head)-1]
	} else if head != "" {
		t.host = head
	} else {
		t.host = "127.0.0.1:3306"
	}
	return t
}

// scrub removes the secret from a message.
func (t target) scrub(msg string) string {
	if t.secret == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, t.secret, "xxxxx")
	if esc := url.QueryEscape(t.secret); esc != t.secret {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	return msg
}

func (t target) where() string {
	if t.host == "" {
		return "(host unknown)"
	}
	return t.host
}
