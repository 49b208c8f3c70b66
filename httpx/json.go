package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
)

// jsonBuf is a buffer with its encoder, pooled together.
type jsonBuf struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonBufs = sync.Pool{New: func() any {
	b := new(jsonBuf)
	b.enc = json.NewEncoder(&b.buf)
	return b
}}

var jsonContentType = []string{"application/json"}[:1:1]

// JSON writes v as a JSON response with the given status. It returns the
// encoding error, if any; by then the status has been sent, so handlers
// usually ignore it: return httpx.JSON(w, http.StatusOK, v).
func JSON(w http.ResponseWriter, status int, v any) error {
	jb := jsonBufs.Get().(*jsonBuf)
	jb.buf.Reset()
	defer func() {
		if jb.buf.Cap() <= 64<<10 { // do not keep huge buffers around
			jsonBufs.Put(jb)
		}
	}()
	if err := jb.enc.Encode(v); err != nil {
		return err
	}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, err := w.Write(jb.buf.Bytes())
	return err
}
