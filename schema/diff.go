package schema

// Op says how an object or attribute differs between two snapshots.
type Op string

// The differences Diff reports.
const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
	// Moved is an attribute whose place among the others changed (a
	// column dropped and added again comes last).
	Moved Op = "moved"
)

// Change is one object that differs between two snapshots.
type Change struct {
	Op   Op     `json:"op"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
	// Attrs are the attributes that differ: for a changed object the
	// ones added, removed or changed; for an added or removed object
	// all of its attributes, as added or removed.
	Attrs []AttrChange `json:"attrs,omitempty"`
}

// AttrChange is one attribute that differs. Old is empty when the
// attribute was added, New when it was removed.
type AttrChange struct {
	Op  Op     `json:"op"`
	Key string `json:"key"`
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// Diff returns how new differs from old, object by object in Normalize's
// order (removed and added objects where they would sort). Attributes of
// a changed object are reported in new's order, then the removed ones in
// old's order. The dialects of the two snapshots are not compared. A nil
// snapshot is an empty one.
func Diff(old, new *Snapshot) []Change {
	if old == nil {
		old = &Snapshot{}
	}
	if new == nil {
		new = &Snapshot{}
	}
	type key struct {
		kind Kind
		name string
	}
	olds := make(map[key]Object, len(old.Objects))
	for _, o := range old.Objects {
		olds[key{o.Kind, o.Name}] = o
	}
	news := make(map[key]Object, len(new.Objects))
	for _, o := range new.Objects {
		news[key{o.Kind, o.Name}] = o
	}
	all := make([]Object, 0, len(old.Objects)+len(new.Objects))
	for _, o := range old.Objects {
		if _, ok := news[key{o.Kind, o.Name}]; !ok {
			all = append(all, o)
		}
	}
	all = append(all, new.Objects...)
	(&Snapshot{Objects: all}).Normalize()

	var out []Change
	for _, o := range all {
		k := key{o.Kind, o.Name}
		was, inOld := olds[k]
		is, inNew := news[k]
		switch {
		case !inOld:
			out = append(out, Change{Op: Added, Kind: o.Kind, Name: o.Name, Attrs: attrs(Added, is.Attrs)})
		case !inNew:
			out = append(out, Change{Op: Removed, Kind: o.Kind, Name: o.Name, Attrs: attrs(Removed, was.Attrs)})
		default:
			if ac := diffAttrs(was.Attrs, is.Attrs); len(ac) > 0 {
				out = append(out, Change{Op: Changed, Kind: o.Kind, Name: o.Name, Attrs: ac})
			}
		}
	}
	return out
}

func attrs(op Op, as []Attr) []AttrChange {
	out := make([]AttrChange, 0, len(as))
	for _, a := range as {
		c := AttrChange{Op: op, Key: a.Key}
		if op == Added {
			c.New = a.Value
		} else {
			c.Old = a.Value
		}
		out = append(out, c)
	}
	return out
}

func diffAttrs(old, new []Attr) []AttrChange {
	olds := make(map[string]string, len(old))
	for _, a := range old {
		olds[a.Key] = a.Value
	}
	news := make(map[string]bool, len(new))
	var out []AttrChange
	for _, a := range new {
		news[a.Key] = true
		v, ok := olds[a.Key]
		switch {
		case !ok:
			out = append(out, AttrChange{Op: Added, Key: a.Key, New: a.Value})
		case v != a.Value:
			out = append(out, AttrChange{Op: Changed, Key: a.Key, Old: v, New: a.Value})
		}
	}
	var oldOrder, newOrder []string
	for _, a := range old {
		if !news[a.Key] {
			out = append(out, AttrChange{Op: Removed, Key: a.Key, Old: a.Value})
		} else {
			oldOrder = append(oldOrder, a.Key)
		}
	}
	for _, a := range new {
		if _, ok := olds[a.Key]; ok {
			newOrder = append(newOrder, a.Key)
		}
	}
	for i, k := range newOrder {
		if oldOrder[i] != k {
			out = append(out, AttrChange{Op: Moved, Key: k, Old: olds[k], New: olds[k]})
		}
	}
	return out
}
