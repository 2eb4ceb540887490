package main

import (
	"fmt"
	"reflect"
	"strings"
)

// raw prints every field of v by reflection, ignoring String methods (which
// hide fields such as timer tries and ghost flags).
func raw(v any) string {
	var b strings.Builder
	rawValue(&b, reflect.ValueOf(v))
	return b.String()
}

// rawValue writes v to b field by field, recursively (see raw).
func rawValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		b.WriteString("{")
		first := true
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Name == "_" {
				continue
			}
			if !first {
				b.WriteString(" ")
			}
			first = false
			b.WriteString(f.Name + ":")
			rawValue(b, v.Field(i))
		}
		b.WriteString("}")
	case reflect.Array, reflect.Slice:
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(" ")
			}
			rawValue(b, v.Index(i))
		}
		b.WriteString("]")
	case reflect.Bool:
		fmt.Fprint(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		fmt.Fprint(b, v.Int())
	case reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		fmt.Fprintf(b, "%#x", v.Uint())
	case reflect.Uint, reflect.Uint8, reflect.Uint16:
		fmt.Fprint(b, v.Uint())
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
		} else {
			b.WriteString("&")
			rawValue(b, v.Elem())
		}
	default:
		fmt.Fprintf(b, "<%s>", v.Kind())
	}
}

// fieldDiffs lists the paths at which two values of one type differ.
func fieldDiffs(a, b any) string {
	var out []string
	diffValue(reflect.ValueOf(a), reflect.ValueOf(b), "", &out)
	if len(out) == 0 {
		return "(no field differs)"
	}
	return strings.Join(out, "\n")
}

// diffValue appends to out the path of every leaf at which a (new) and b
// (old), of one type, differ, with both values.
func diffValue(a, b reflect.Value, path string, out *[]string) {
	switch a.Kind() {
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if n := a.Type().Field(i).Name; n != "_" {
				diffValue(a.Field(i), b.Field(i), path+"."+n, out)
			}
		}
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			diffValue(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		ra, rb := rawOf(a), rawOf(b)
		if ra != rb {
			*out = append(*out, fmt.Sprintf("%s: new %s, old %s", strings.TrimPrefix(path, "."), ra, rb))
		}
	}
}

// rawOf is raw for a reflect.Value.
func rawOf(v reflect.Value) string {
	var b strings.Builder
	rawValue(&b, v)
	return b.String()
}
