// yamlread prints, as JSON, each YAML document of the file it is given as Go yaml.v2
// (Alertmanager, kubectl) and yaml.v3 (Prometheus rule files) decode it into interface{}:
// {"v2": [...], "v3": [...]}. Non-string keys and non-JSON values are tagged ("!int:1").
// tests/unit/test_yamlout_styles.py builds it in a temporary folder and compares.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	yaml2 "gopkg.in/yaml.v2"
	yaml3 "gopkg.in/yaml.v3"
)

func plain(v interface{}) interface{} {
	switch x := v.(type) {
	case map[interface{}]interface{}:
		out := map[string]interface{}{}
		for k, val := range x {
			out[key(k)] = plain(val)
		}
		return out
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, val := range x {
			out[k] = plain(val)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, val := range x {
			out[i] = plain(val)
		}
		return out
	case time.Time:
		return "!timestamp:" + x.String()
	case nil, string, bool:
		return x
	case int, int64, uint64:
		return map[string]interface{}{"!int": fmt.Sprint(x)}
	case float64:
		return map[string]interface{}{"!float": fmt.Sprint(x)}
	default:
		return fmt.Sprintf("!%T:%v", x, x)
	}
}

func key(k interface{}) string {
	if s, ok := k.(string); ok {
		return s
	}
	return fmt.Sprintf("!%T:%v", k, k)
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	result := map[string]interface{}{}
	var docs2 []interface{}
	d2 := yaml2.NewDecoder(bytes.NewReader(data))
	for {
		var doc interface{}
		if err := d2.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			docs2 = append(docs2, "!error:"+err.Error())
			break
		}
		docs2 = append(docs2, plain(doc))
	}
	var docs3 []interface{}
	d3 := yaml3.NewDecoder(bytes.NewReader(data))
	for {
		var doc interface{}
		if err := d3.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			docs3 = append(docs3, "!error:"+err.Error())
			break
		}
		docs3 = append(docs3, plain(doc))
	}
	result["v2"], result["v3"] = docs2, docs3
	out, err := json.Marshal(result)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(out)
}
