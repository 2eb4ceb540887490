package main

import (
	"fmt"
	"reflect"
	"unsafe"

	nm "modeldiff/newmodel"
	om "modeldiff/oldmodel"
)

// Compile-time size checks: if the build fails on one of these lines, the
// type named in its comment has a size that differs between the old and
// the new model, so the harness's unsafe conversions would misread it. (Either difference order
// is a compile error: an index out of range or a uintptr constant
// underflow.) checkLayouts below reports the exact field that differs when
// sizes agree but the layout does not.
var (
	_ = [1]int{}[unsafe.Sizeof(nm.State{})-unsafe.Sizeof(om.State{})]       // model.State
	_ = [1]int{}[unsafe.Sizeof(nm.Label{})-unsafe.Sizeof(om.Label{})]       // model.Label
	_ = [1]int{}[unsafe.Sizeof(nm.Action{})-unsafe.Sizeof(om.Action{})]     // model.Action
	_ = [1]int{}[unsafe.Sizeof(nm.Segment{})-unsafe.Sizeof(om.Segment{})]   // model.Segment
	_ = [1]int{}[unsafe.Sizeof(nm.Endpoint{})-unsafe.Sizeof(om.Endpoint{})] // model.Endpoint
	_ = [1]int{}[unsafe.Sizeof(nm.Reaction{})-unsafe.Sizeof(om.Reaction{})] // model.Reaction
	_ = [1]int{}[unsafe.Sizeof(nm.Rules{})-unsafe.Sizeof(om.Rules{})]       // model.Rules
)

// conv reinterprets a value of one package's type as the layout-identical
// type of the other package (checked by checkLayouts before any use).
func conv[T, F any](f F) T { return *(*T)(unsafe.Pointer(&f)) }

// checkLayouts compares, recursively, the old and new definitions of every
// type the harness converts: kinds, sizes, alignments, field names, field
// offsets, array lengths, element and function-parameter types. Config is
// not among them: it is converted field by field, by name (convConfig), so
// that it may gain fields.
func checkLayouts() error {
	pairs := []struct{ n, o any }{
		{nm.State{}, om.State{}}, {nm.Label{}, om.Label{}}, {nm.Action{}, om.Action{}},
		{nm.Segment{}, om.Segment{}}, {nm.Endpoint{}, om.Endpoint{}}, {nm.Reaction{}, om.Reaction{}},
		{nm.Rules{}, om.Rules{}},
	}
	for _, p := range pairs {
		tn, to := reflect.TypeOf(p.n), reflect.TypeOf(p.o)
		if err := sameLayout(tn, to, tn.Name(), map[[2]reflect.Type]bool{}); err != nil {
			return fmt.Errorf("layout of model.%s changed between old and new: %v", tn.Name(), err)
		}
	}
	return nil
}

// sameLayout compares types a (new) and b (old) recursively: kind, size,
// alignment and name, and the fields' names and offsets, array lengths,
// element types and function signatures. path names the value for the
// error; seen stops the recursion at pairs already compared.
func sameLayout(a, b reflect.Type, path string, seen map[[2]reflect.Type]bool) error {
	k := [2]reflect.Type{a, b}
	if seen[k] {
		return nil
	}
	seen[k] = true
	if a.Kind() != b.Kind() || a.Size() != b.Size() || a.Align() != b.Align() || a.Name() != b.Name() {
		return fmt.Errorf("%s: new %s (kind %s, size %d, align %d) vs old %s (kind %s, size %d, align %d)",
			path, a, a.Kind(), a.Size(), a.Align(), b, b.Kind(), b.Size(), b.Align())
	}
	switch a.Kind() {
	case reflect.Struct:
		if a.NumField() != b.NumField() {
			return fmt.Errorf("%s: %d fields new vs %d old", path, a.NumField(), b.NumField())
		}
		for i := 0; i < a.NumField(); i++ {
			fa, fb := a.Field(i), b.Field(i)
			if fa.Name != fb.Name || fa.Offset != fb.Offset {
				return fmt.Errorf("%s field %d: new %s@%d vs old %s@%d", path, i, fa.Name, fa.Offset, fb.Name, fb.Offset)
			}
			if err := sameLayout(fa.Type, fb.Type, path+"."+fa.Name, seen); err != nil {
				return err
			}
		}
	case reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: array length %d new vs %d old", path, a.Len(), b.Len())
		}
		return sameLayout(a.Elem(), b.Elem(), path+"[]", seen)
	case reflect.Pointer, reflect.Slice:
		return sameLayout(a.Elem(), b.Elem(), path+"*", seen)
	case reflect.Func:
		if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() {
			return fmt.Errorf("%s: function signature differs", path)
		}
		for i := 0; i < a.NumIn(); i++ {
			if err := sameLayout(a.In(i), b.In(i), fmt.Sprintf("%s(in %d)", path, i), seen); err != nil {
				return err
			}
		}
		for i := 0; i < a.NumOut(); i++ {
			if err := sameLayout(a.Out(i), b.Out(i), fmt.Sprintf("%s(out %d)", path, i), seen); err != nil {
				return err
			}
		}
	case reflect.Map, reflect.Chan, reflect.Interface:
		return fmt.Errorf("%s: unexpected kind %s", path, a.Kind())
	}
	return nil
}

// convConfig converts a configuration to the old model's Config, field by
// field and by name. A field the old Config lacks must be zero in c (the
// old model cannot express it otherwise), and Rules must be nil (a job's
// rules are built in each package by name).
func convConfig(c nm.Config) (om.Config, error) {
	var o om.Config
	vn, vo := reflect.ValueOf(c), reflect.ValueOf(&o).Elem()
	for i := 0; i < vn.NumField(); i++ {
		f := vn.Type().Field(i)
		a := vn.Field(i)
		if !f.IsExported() {
			continue
		}
		b := vo.FieldByName(f.Name)
		switch {
		case f.Name == "Rules":
			if !a.IsNil() {
				return o, fmt.Errorf("Config.Rules is set: it is not converted")
			}
		case !b.IsValid():
			if !a.IsZero() {
				return o, fmt.Errorf("the old Config has no field %s, and it is %v here", f.Name, a.Interface())
			}
		case !a.Type().ConvertibleTo(b.Type()):
			return o, fmt.Errorf("Config.%s: %s is not convertible to the old %s", f.Name, a.Type(), b.Type())
		default:
			b.Set(a.Convert(b.Type()))
		}
	}
	return o, nil
}
