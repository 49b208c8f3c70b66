package cache

import (
	"bytes"
	"encoding"
	"encoding/gob"
	"encoding/json"
	"fmt"
)

// Codec encodes values for byte stores. Implementations must be safe for
// concurrent use. Choose one with [WithCodec].
type Codec interface {
	// Marshal encodes v (a T, for a Cache[T]).
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into v (a *T).
	Unmarshal(data []byte, v any) error
}

// JSONCodec encodes with encoding/json. It is the default codec.
type JSONCodec struct{}

// Marshal implements [Codec].
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal implements [Codec].
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// GobCodec encodes with encoding/gob. It keeps Go types exactly (unexported
// fields aside) but writes type information with every value.
type GobCodec struct{}

// Marshal implements [Codec].
func (GobCodec) Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Unmarshal implements [Codec].
func (GobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}

// BinaryCodec is the fast codec: []byte and string values are stored as they
// are, and types implementing [encoding.BinaryMarshaler] and (through a
// pointer) [encoding.BinaryUnmarshaler] use those methods — typically
// generated protobuf, msgpack or hand-written encoders. Other types are an
// error.
type BinaryCodec struct{}

// Marshal implements [Codec].
func (BinaryCodec) Marshal(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		return []byte(x), nil
	case encoding.BinaryMarshaler:
		return x.MarshalBinary()
	}
	return nil, fmt.Errorf("cache: BinaryCodec cannot encode %T", v)
}

// Unmarshal implements [Codec].
func (BinaryCodec) Unmarshal(data []byte, v any) error {
	switch x := v.(type) {
	case *[]byte:
		*x = append((*x)[:0], data...)
		return nil
	case *string:
		*x = string(data)
		return nil
	case encoding.BinaryUnmarshaler:
		return x.UnmarshalBinary(data)
	}
	return fmt.Errorf("cache: BinaryCodec cannot decode into %T", v)
}
