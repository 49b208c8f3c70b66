package httpx

import (
	"encoding/json"
	"net/http"
)

// JSON writes v as a JSON response with the given status. It returns the
// encoding error, if any; by then the status has been sent, so handlers
// usually ignore it: return httpx.JSON(w, http.StatusOK, v).
func JSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
