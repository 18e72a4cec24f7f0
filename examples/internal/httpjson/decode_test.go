package httpjson_test

import (
	"encoding/json"
	"net/http"
)

func httpjsonDecode(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }
