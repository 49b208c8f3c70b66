package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type decodeItem struct {
	Name string `json:"name" validate:"required"`
}

type decodeTarget struct {
	Title string       `json:"title" validate:"required,min=1,max=200"`
	Done  bool         `json:"done"`
	Count int          `json:"count" validate:"gte=0"`
	Items []decodeItem `json:"items" validate:"dive"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 201)
	cases := []struct {
		name, ctype, body string
		status            int
		detail            string
		fields            []string // "field:rule"
	}{
		{"ok", "application/json", `{"title":"milk","done":true}`, 0, "", nil},
		{"ok charset", "application/json; charset=utf-8", `{"title":"milk"}`, 0, "", nil},
		{"ok problem+json type", "application/merge-patch+json", `{"title":"milk"}`, 0, "", nil},
		{"wrong content type", "text/plain", `{"title":"milk"}`, 415, "", nil},
		{"no content type", "", `{"title":"milk"}`, 415, "", nil},
		{"empty", "application/json", ``, 400, "The request body is empty.", nil},
		{"malformed", "application/json", `{"title": milk}`, 400, "Malformed JSON at byte offset 11.", nil},
		{"truncated", "application/json", `{"title":"milk"`, 400, "Malformed JSON: the body ends too early.", nil},
		{"wrong type", "application/json", `{"title":5}`, 400, "", []string{"title:type"}},
		{"unknown field", "application/json", `{"title":"a","owner":"x"}`, 400, `Unknown field "owner".`, []string{"owner:unknown"}},
		{"two values", "application/json", `{"title":"a"} {"title":"b"}`, 400, "The request body must hold a single JSON value.", nil},
		{"trailing space ok", "application/json", "{\"title\":\"a\"} \n", 0, "", nil},
		{"missing title", "application/json", `{"done":true}`, 422, "", []string{"title:required"}},
		{"too long", "application/json", `{"title":"` + long + `"}`, 422, "", []string{"title:max"}},
		{"nested", "application/json", `{"title":"a","count":-1,"items":[{"name":""}]}`, 422, "", []string{"count:gte", "items[0].name:required"}},
		{"too large", "application/json", `{"title":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}`, 413, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("POST", "/todos", strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			if c.name == "too large" {
				req.ContentLength = -1 // make the limit apply while reading
			}
			v, err := Decode[decodeTarget](req)
			if c.status == 0 {
				if err != nil || v.Title == "" {
					t.Fatalf("Decode = %+v, %v", v, err)
				}
				return
			}
			he, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if he.Status != c.status {
				t.Fatalf("status %d (%s), want %d", he.Status, he.Detail, c.status)
			}
			if c.detail != "" && he.Detail != c.detail {
				t.Fatalf("detail %q, want %q", he.Detail, c.detail)
			}
			var got []string
			for _, f := range he.Fields {
				got = append(got, f.Field+":"+f.Rule)
			}
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Fatalf("fields %v, want %v", got, c.fields)
			}
		})
	}
}

func TestDecodeHonoursBodyLimit(t *testing.T) {
	t.Parallel()
	var status int
	h := BodyLimit(16)(HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		_, err := Decode[decodeTarget](r)
		return err
	}))
	for _, cl := range []bool{true, false} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(`{"title":"a long enough title"}`))
		req.Header.Set("Content-Type", "application/json")
		if !cl {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		status = rec.Code
		if status != 413 {
			t.Fatalf("content-length known=%v: status %d, want 413", cl, status)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"title":"a"}`, `{"title":`, `[]`, `{"items":[{"name":1}]}`, `{"title":"a"}{}`, "\x00", `{"title":"\ud800"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		v, err := Decode[decodeTarget](req)
		if err == nil {
			if v.Title == "" || len(v.Title) > 800 {
				t.Fatalf("accepted invalid value %+v", v)
			}
			return
		}
		he, ok := err.(*Error)
		if !ok || (he.Status != 400 && he.Status != 422 && he.Status != 413) {
			t.Fatalf("error %#v", err)
		}
	})
}
