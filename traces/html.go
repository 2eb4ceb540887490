package traces

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"github.com/timewait/timewait/model"
)

// htmlData is the per-step data a report embeds as JSON; the page's script
// renders it, and its self-test checks what is shown against Model, the
// model's own one-line form of each state.
type htmlData struct {
	Title   string     `json:"title"`
	Fields  []string   `json:"fields"`  // endpoint fields, in display order
	Globals []string   `json:"globals"` // network and budget fields
	Steps   []htmlStep `json:"steps"`
	Hit     int        `json:"hit"`     // step that violates (or reaches the witness); -1
	HitText string     `json:"hitText"` // "violates no-rst-…"
	Start   int        `json:"start"`   // the step shown first
	Flights int        `json:"flights"` // copies drawn in the diagram
}

type htmlStep struct {
	Step  int          `json:"step"`
	Time  string       `json:"time"`
	Label string       `json:"label"` // the model's label, or "initial state"
	What  string       `json:"what"`  // in words
	Model string       `json:"model"` // model.State.String() after the step
	A     []string     `json:"a"`     // values of Fields for A
	B     []string     `json:"b"`
	G     []string     `json:"g"` // values of Globals
	Net   []htmlFlight `json:"net"`
	Hit   bool         `json:"hit"`
}

type htmlFlight struct {
	Name string `json:"name"` // "#4"
	Seg  string `json:"seg"`  // model.Segment.String(), age included
	Note string `json:"note"` // "sent at step 4", "duplicate of #2", …
}

// endpointFields names the rows of an endpoint's state, in display order;
// [endpointValues] gives their values. A fresh slice on every call.
func endpointFields() []string {
	return []string{
		"connection state", "incarnation", "ISS", "IRS", "SND.UNA", "SND.NXT", "RCV.NXT", "sends a data octet",
		"user called CLOSE", "retransmission timer rtx0", "retransmission timer rtx1", "TIME-WAIT timer",
		"entered TIME-WAIT in incarnations",
	}
}

// globalFields names the rows of the network and budget state, in display
// order. A fresh slice on every call.
func globalFields() []string {
	return []string{"copies in flight", "losses left", "duplications left", "timers fired at this instant", "model error"}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// timerValue shows a timer: "off", or "on: 2 sub-ticks left (1 tick), 0
// retransmissions made".
func timerValue(t model.Timer, grid int, tries bool) string {
	if !t.On {
		return "off"
	}
	s := fmt.Sprintf("on: %d %s left (%s)", t.Due, plural(int(t.Due), "sub-tick", "sub-ticks"), duration(int(t.Due), grid))
	if tries {
		s += fmt.Sprintf(", %d %s made", t.Tries, plural(int(t.Tries), "retransmission", "retransmissions"))
	}
	return s
}

// endpointValues are the values of [endpointFields]; a number the endpoint
// does not hold in its state is "—", as model.Endpoint.String omits it.
func endpointValues(s model.State, side model.Side, grid int) []string {
	e := s.Ends[side]
	dash := "—"
	num := func(ok bool, n model.Seq) string {
		if ok {
			return strconv.Itoa(int(n))
		}
		return dash
	}
	tcb := e.St.HasTCB()
	var inc []string
	for n := 0; n < 8; n++ {
		if s.EnteredTimeWait(side, uint8(n)) {
			inc = append(inc, strconv.Itoa(n))
		}
	}
	entered := "none"
	if len(inc) > 0 {
		entered = strings.Join(inc, ", ")
	}
	return []string{
		e.St.String(), strconv.Itoa(int(e.Inc)), num(e.St != model.Closed, e.ISS),
		num(tcb && e.St != model.SynSent, e.IRS), num(tcb, e.SndUna), num(tcb, e.SndNxt), num(tcb, e.RcvNxt),
		yesNo(e.Data), yesNo(e.AppClosed), timerValue(e.Rtx[0], grid, true), timerValue(e.Rtx[1], grid, true),
		timerValue(e.TW, grid, false), entered,
	}
}

func (v *view) htmlData() htmlData {
	d := htmlData{Title: v.title(), Fields: endpointFields(), Globals: globalFields(), Hit: v.hit, Flights: len(v.flights)}
	if v.hit >= 0 {
		d.HitText = v.hitNote()
		d.Start = v.hit
	}
	for i := 0; i <= len(v.r.Steps); i++ {
		s := v.r.State(i)
		st := htmlStep{Step: i, Time: clock(v.times[i], v.grid), Model: s.String(), Hit: i == v.hit,
			A: endpointValues(s, model.A, v.grid), B: endpointValues(s, model.B, v.grid)}
		if i == 0 {
			st.Label, st.What = "initial state", "start"
		} else {
			st.Label = v.r.Steps[i-1].Label.String()
			st.What = v.what(i)
			if st.What == "" {
				st.What = "time passes " + clock(v.times[i-1], v.grid) + " → " + st.Time
			}
		}
		errText := "none"
		if s.Err != model.NoErr {
			errText = s.Err.Describe()
		}
		st.G = []string{strconv.Itoa(s.Net.Len()), strconv.Itoa(int(s.LossLeft)), strconv.Itoa(int(s.DupLeft)), yesNo(s.Phase != 0), errText}
		for k, f := range v.flights {
			born := f.Sent
			if f.DupOf > 0 {
				born = f.DupStep
			}
			if born > i || (f.End != 0 && f.End <= i) {
				continue
			}
			g := f.Seg
			g.Age = uint8(v.times[i] - f.SentAt)
			note := "in flight at the start"
			switch {
			case f.DupOf > 0:
				note = fmt.Sprintf("duplicate of %s, made at step %d", name(f.DupOf-1), f.DupStep)
			case f.Sent > 0:
				note = fmt.Sprintf("sent at step %d", f.Sent)
			}
			switch f.Fate {
			case Delivered:
				note += fmt.Sprintf("; delivered at step %d", f.End)
			case Lost:
				note += fmt.Sprintf("; lost at step %d", f.End)
			}
			st.Net = append(st.Net, htmlFlight{Name: name(k), Seg: g.String(), Note: note})
		}
		if st.Net == nil {
			st.Net = []htmlFlight{}
		}
		d.Steps = append(d.Steps, st)
	}
	return d
}

// WriteHTML writes a replayed run as one self-contained HTML file (no
// external scripts, styles, fonts or requests): the SVG ladder diagram
// (see [WriteSVG]); a step slider with previous/next buttons (and the arrow
// keys) that shows both endpoints' full state at the selected step, the
// copies in flight, the step's label, and highlights its row in the diagram;
// the configuration; the property's title, reference and meaning; the fault
// summary; and which step violates the property, or, when the property is
// known but the run no longer violates it (or no longer reaches the
// witness), a warning banner saying so. The per-step data is embedded as
// JSON and rendered by plain JavaScript.
//
// Opened with the URL fragment #selftest the page tests itself: its script
// moves the slider and clicks through every step, checks that what is shown
// changes at each step and agrees with the model's own form of that state,
// that the diagram is present with one line per copy, and that no script
// error, unhandled rejection or console.error occurred; it writes "PASS …"
// or "FAIL: reason" into <pre id="selftest-result">; a PASS counts the
// states shown, the initial one included, and the steps between them.
func WriteHTML(w io.Writer, r Replayed) error {
	v := newView(r)
	data, err := json.Marshal(v.htmlData()) // escapes <, > and &: no "</script>" inside
	if err != nil {
		return err
	}
	e := html.EscapeString
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p("<title>%s</title>\n", e(v.title()))
	b.WriteString("<script>\n" + htmlErrorTrap + "</script>\n")
	b.WriteString("<style>\n" + htmlCSS + "</style>\n</head>\n<body>\n")
	b.WriteString("<header>\n")
	p("<h1>%s</h1>\n", e(v.title()))
	if v.propOK {
		p("<p class=\"prop\"><b>%s</b> — %s <span class=\"kind\">(%s property)</span></p>\n", e(v.prop.ID), e(v.prop.Title), e(v.prop.Kind.String()))
	}
	cls := "verdict"
	if v.hit >= 0 {
		cls += " hit"
	}
	p("<p class=\"%s\">%s", cls, e(v.verdict()))
	if v.hit >= 0 {
		p(" <button type=\"button\" id=\"goto-hit\">show step %d</button>", v.hit)
	}
	b.WriteString("</p>\n")
	if v.stale() {
		p("<p class=\"warning\" id=\"stale-warning\" role=\"alert\">⚠ %s</p>\n", e(v.staleWarning()))
	}
	p("<p class=\"faults\"><b>Faults:</b> %s</p>\n", e(v.faults()))
	b.WriteString("</header>\n<main>\n<section id=\"panel\">\n")
	b.WriteString("<div class=\"controls\">\n")
	b.WriteString("<button type=\"button\" id=\"prev\" title=\"previous step (←)\">◀ prev</button>\n")
	p("<input type=\"range\" id=\"step\" min=\"0\" max=\"%d\" value=\"%d\" aria-label=\"step\">\n", len(r.Steps), max(v.hit, 0))
	b.WriteString("<button type=\"button\" id=\"next\" title=\"next step (→)\">next ▶</button>\n</div>\n")
	b.WriteString("<div id=\"step-panel\">\n<h2 id=\"step-title\"></h2>\n<p id=\"step-what\"></p>\n<p class=\"label\"><code id=\"step-label\"></code></p>\n")
	b.WriteString("<table class=\"state\"><thead><tr><th></th><th>A (client)</th><th>B (server)</th></tr></thead><tbody id=\"state-body\"></tbody></table>\n")
	b.WriteString("<table class=\"state globals\"><tbody id=\"global-body\"></tbody></table>\n")
	b.WriteString("<h3>Copies in flight</h3>\n<ul id=\"net-list\"></ul>\n</div>\n")
	b.WriteString("<pre id=\"selftest-result\"></pre>\n</section>\n")
	b.WriteString("<section id=\"diagram\">\n")
	writeSVGLadder(&b, v, false)
	b.WriteString("</section>\n</main>\n<footer>\n")
	if v.propOK {
		p("<h3>Property <code>%s</code></h3>\n<p><b>%s</b></p>\n<p>%s</p>\n<p class=\"ref\">%s</p>\n", e(v.prop.ID), e(v.prop.Title), e(v.prop.Doc), e(v.prop.Ref))
	} else if r.Trace.Property != "" {
		p("<h3>Property <code>%s</code></h3>\n<p>unknown to this version</p>\n", e(r.Trace.Property))
	}
	b.WriteString("<h3>Configuration</h3>\n<table class=\"config\"><tbody>\n")
	for _, kv := range configPairs(r.Config) {
		k, val, _ := strings.Cut(kv, "=")
		p("<tr><th>%s</th><td>%s</td></tr>\n", e(k), e(val))
	}
	b.WriteString("</tbody></table>\n")
	p("<p class=\"small\">Time is in ticks; MSL = %s; %s. Copies are numbered #1, #2, … in the order they entered the network.</p>\n",
		e(duration(r.Config.MSL*v.grid, v.grid)), e(gridText(v.grid)))
	b.WriteString("</footer>\n")
	p("<script type=\"application/json\" id=\"tw-data\">%s</script>\n", data)
	b.WriteString("<script>\n" + htmlScript + "</script>\n</body>\n</html>\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// htmlErrorTrap runs first: it records script errors, unhandled rejections
// and console.error calls for the self-test, and reports a self-test that
// never ran.
const htmlErrorTrap = `window.twErrors = [];
window.onerror = function (msg, src, line) {
  window.twErrors.push("error: " + msg + " (line " + line + ")");
};
window.addEventListener("unhandledrejection", function (ev) {
  window.twErrors.push("unhandled rejection: " + ev.reason);
});
(function () {
  var original = console.error;
  console.error = function () {
    window.twErrors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
})();
window.addEventListener("load", function () {
  setTimeout(function () {
    var out = document.getElementById("selftest-result");
    if (location.hash === "#selftest" && out && out.textContent === "") {
      out.textContent = "FAIL: the self-test did not run; " + (window.twErrors.join("; ") || "no error recorded");
    }
  }, 5000);
});
`

const htmlCSS = `body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0; color: #1d1d1f; background: #fff; }
header { padding: 12px 20px 4px; border-bottom: 1px solid #ddd; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 16px; margin: 8px 0 4px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
p { margin: 4px 0; }
.kind, .small, .ref { color: #555; }
.verdict.hit { color: #b3261e; font-weight: bold; }
.warning { margin: 6px 0; padding: 6px 10px; border: 2px solid #d93025; border-radius: 4px; background: #fde3e1; color: #b3261e; font-weight: bold; }
main { display: flex; align-items: flex-start; gap: 16px; padding: 12px 20px; }
#panel { flex: 0 0 500px; position: sticky; top: 0; max-height: 100vh; overflow: auto; }
#diagram { flex: 1 1 auto; overflow-x: auto; border: 1px solid #e3e3e3; border-radius: 6px; }
#diagram svg { display: block; }
#diagram rect.row { cursor: pointer; }
@media (max-width: 1500px) {
  main { display: block; }
  #panel { position: static; max-height: none; margin-bottom: 12px; }
}
.controls { display: flex; gap: 8px; align-items: center; padding: 6px 0; background: #fff; }
.controls input { flex: 1; }
button { font: inherit; padding: 3px 10px; border: 1px solid #99a; border-radius: 4px; background: #f3f4f8; cursor: pointer; }
button:disabled { opacity: .4; cursor: default; }
#step-title.hit { color: #b3261e; }
#step-what { font-weight: 600; }
.label code { font-size: 12px; color: #444; word-break: break-word; }
table.state { border-collapse: collapse; width: 100%; margin-top: 6px; font-size: 13px; table-layout: fixed; }
table.state th:first-child { width: 34%; }
table.state td { overflow-wrap: anywhere; }
table.state th, table.state td { border: 1px solid #e1e1e6; padding: 2px 6px; text-align: left; vertical-align: top; }
table.state tbody th { font-weight: normal; color: #555; }
table.state td.changed { background: #fff3bf; font-weight: 600; }
#net-list { padding-left: 18px; margin: 4px 0; font-size: 13px; }
#net-list .seg { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
#net-list .note { color: #666; }
#selftest-result { padding: 6px; background: #eef; white-space: pre-wrap; }
#selftest-result:empty { display: none; }
footer { padding: 4px 20px 24px; border-top: 1px solid #ddd; }
table.config { border-collapse: collapse; font-size: 13px; }
table.config th, table.config td { border: 1px solid #e1e1e6; padding: 1px 8px; text-align: left; font-weight: normal; }
table.config th { color: #555; }
`

const htmlScript = `(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tw-data").textContent);
  var last = data.steps.length - 1;
  var slider = document.getElementById("step");
  var prevButton = document.getElementById("prev");
  var nextButton = document.getElementById("next");
  var rows = Array.prototype.slice.call(document.querySelectorAll("svg.tw-ladder rect.row"));
  var current = 0;

  function cell(tag, text, cls) {
    var c = document.createElement(tag);
    c.textContent = text;
    if (cls) { c.className = cls; }
    return c;
  }

  function fillTable(body, names, columns, before) {
    body.textContent = "";
    names.forEach(function (fieldName, j) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("th", fieldName));
      columns.forEach(function (values, c) {
        var changed = before && before[c][j] !== values[j];
        tr.appendChild(cell("td", values[j], changed ? "changed" : ""));
      });
      body.appendChild(tr);
    });
  }

  function show(i, scroll) {
    i = Math.max(0, Math.min(last, Math.floor(Number(i)) || 0));
    current = i;
    slider.value = String(i);
    var st = data.steps[i];
    var prev = i > 0 ? data.steps[i - 1] : null;
    var title = document.getElementById("step-title");
    title.textContent = "Step " + i + " of " + last + " · time " + st.time + (st.hit ? " · " + data.hitText : "");
    title.className = st.hit ? "hit" : "";
    document.getElementById("step-what").textContent = st.what;
    document.getElementById("step-label").textContent = st.label;
    fillTable(document.getElementById("state-body"), data.fields, [st.a, st.b], prev ? [prev.a, prev.b] : null);
    fillTable(document.getElementById("global-body"), data.globals, [st.g], prev ? [prev.g] : null);
    var list = document.getElementById("net-list");
    list.textContent = "";
    if (st.net.length === 0) {
      list.appendChild(cell("li", "none", "note"));
    }
    st.net.forEach(function (f) {
      var li = document.createElement("li");
      li.appendChild(cell("b", f.name + " "));
      li.appendChild(cell("span", f.seg, "seg"));
      li.appendChild(cell("span", " — " + f.note, "note"));
      list.appendChild(li);
    });
    rows.forEach(function (r) {
      var first = Number(r.getAttribute("data-first"));
      var lastStep = Number(r.getAttribute("data-last"));
      var on = first <= i && i <= lastStep;
      r.classList.toggle("sel", on);
      if (on && scroll && r.scrollIntoView) { r.scrollIntoView({ block: "nearest", inline: "nearest" }); }
    });
    prevButton.disabled = i === 0;
    nextButton.disabled = i === last;
  }

  slider.addEventListener("input", function () { show(slider.value, true); });
  prevButton.addEventListener("click", function () { show(current - 1, true); });
  nextButton.addEventListener("click", function () { show(current + 1, true); });
  var hitButton = document.getElementById("goto-hit");
  if (hitButton) { hitButton.addEventListener("click", function () { show(data.hit, true); }); }
  document.addEventListener("keydown", function (ev) {
    if (ev.target && ev.target.tagName === "INPUT") { return; }
    if (ev.key === "ArrowLeft") { show(current - 1, true); }
    if (ev.key === "ArrowRight") { show(current + 1, true); }
  });
  rows.forEach(function (r) {
    r.addEventListener("click", function () { show(r.getAttribute("data-first"), false); });
  });
  show(data.start);

  // The model's one-line state: A[...] B[...] net{...} loss=N dup=N.
  function parseModel(text) {
    var m = /^A\[([^\]]*)\] B\[([^\]]*)\] net\{([^}]*)\}/.exec(text);
    if (!m) { return null; }
    function end(s) {
      var parts = s.split(" ");
      var out = { state: parts[0], keys: {}, closed: false };
      parts.slice(1).forEach(function (p) {
        var kv = p.split("=");
        if (kv.length === 2) { out.keys[kv[0]] = kv[1]; } else if (p === "closed") { out.closed = true; }
      });
      return out;
    }
    return { ends: [end(m[1]), end(m[2])], net: m[3] === "" ? [] : m[3].split("; ") };
  }

  function shownColumn(c) {
    var out = {};
    Array.prototype.forEach.call(document.querySelectorAll("#state-body tr"), function (tr) {
      out[tr.children[0].textContent] = tr.children[c + 1].textContent;
    });
    return out;
  }

  function checkEndpoint(side, model, shown, problems) {
    function want(fieldName, value) {
      if (shown[fieldName] !== value) {
        problems.push(side + " " + fieldName + " shows " + JSON.stringify(shown[fieldName]) + ", the model says " + JSON.stringify(value));
      }
    }
    function num(fieldName, key) { want(fieldName, key in model.keys ? model.keys[key] : "—"); }
    function timer(fieldName, key, tries) {
      var v = shown[fieldName] || "";
      if (!(key in model.keys)) {
        if (v !== "off") { problems.push(side + " " + fieldName + " shows " + JSON.stringify(v) + ", the model says off"); }
        return;
      }
      var parts = model.keys[key].split("/");
      var ok = v.indexOf("on: " + parts[0] + " sub-tick") === 0;
      if (tries) { ok = ok && v.indexOf(", " + parts[1] + " retransmission") > 0; }
      if (!ok) { problems.push(side + " " + fieldName + " shows " + JSON.stringify(v) + ", the model says " + key + "=" + model.keys[key]); }
    }
    want("connection state", model.state);
    num("incarnation", "inc");
    num("ISS", "iss");
    num("SND.UNA", "una");
    num("SND.NXT", "nxt");
    num("RCV.NXT", "rcv");
    timer("retransmission timer rtx0", "rtx0", true);
    timer("retransmission timer rtx1", "rtx1", true);
    timer("TIME-WAIT timer", "tw", false);
    if (model.closed && shown["user called CLOSE"] !== "yes") { problems.push(side + " user called CLOSE should be yes"); }
  }

  function checkShown(i, problems) {
    var st = data.steps[i];
    var where = "step " + i + ": ";
    var found = [];
    if (slider.value !== String(i)) { found.push("the slider is at " + slider.value); }
    if (document.getElementById("step-title").textContent.indexOf("Step " + i + " of " + last) !== 0) { found.push("the heading does not name the step"); }
    if (document.getElementById("step-label").textContent !== st.label) { found.push("the label shown is not the step's label"); }
    var model = parseModel(st.model);
    if (!model) {
      found.push("cannot read the model state " + JSON.stringify(st.model));
    } else {
      checkEndpoint("A", model.ends[0], shownColumn(0), found);
      checkEndpoint("B", model.ends[1], shownColumn(1), found);
      var shownNet = Array.prototype.map.call(document.querySelectorAll("#net-list .seg"), function (s) { return s.textContent; });
      if (shownNet.slice().sort().join("; ") !== model.net.slice().sort().join("; ")) {
        found.push("copies in flight shown [" + shownNet.join("; ") + "], the model has [" + model.net.join("; ") + "]");
      }
    }
    var selected = document.querySelectorAll("svg.tw-ladder rect.row.sel");
    if (selected.length !== 1) {
      found.push(selected.length + " diagram rows highlighted");
    } else {
      var a = Number(selected[0].getAttribute("data-first")), b = Number(selected[0].getAttribute("data-last"));
      if (i < a || i > b) { found.push("the highlighted row is steps " + a + "-" + b); }
    }
    found.forEach(function (f) { problems.push(where + f); });
  }

  function selftest() {
    var out = document.getElementById("selftest-result");
    var problems = [];
    var checked = 0;
    function tick() { return new Promise(function (resolve) { setTimeout(resolve, 0); }); }
    function panelText() { return document.getElementById("step-panel").textContent; }
    async function run() {
      var svg = document.querySelector("#diagram svg.tw-ladder");
      if (!svg) { problems.push("no SVG diagram"); }
      var lines = document.querySelectorAll("svg.tw-ladder line.flight").length;
      if (lines !== data.flights) { problems.push("the diagram has " + lines + " copy lines, the run has " + data.flights + " copies"); }
      slider.value = "0";
      slider.dispatchEvent(new Event("input", { bubbles: true }));
      await tick();
      checkShown(0, problems);
      checked++;
      var before = panelText();
      for (var i = 1; i <= last; i++) {
        nextButton.click();
        await tick();
        checkShown(i, problems);
        checked++;
        var now = panelText();
        if (now === before) { problems.push("step " + i + ": the display did not change"); }
        before = now;
      }
      if (!nextButton.disabled) { problems.push("next is enabled at the last step"); }
      if (last > 0) {
        prevButton.click();
        await tick();
        checkShown(last - 1, problems);
        var target = data.hit >= 0 ? data.hit : Math.floor(last / 2);
        slider.value = String(target);
        slider.dispatchEvent(new Event("input", { bubbles: true }));
        await tick();
        checkShown(target, problems);
      }
      await tick();
      window.twErrors.forEach(function (e) { problems.push(e); });
      if (problems.length > 0) {
        out.textContent = "FAIL: " + problems.slice(0, 8).join("; ") + (problems.length > 8 ? "; and " + (problems.length - 8) + " more" : "");
      } else {
        out.textContent = "PASS: " + checked + (checked === 1 ? " state (" : " states (") + last + (last === 1 ? " step)" : " steps)") +
          " shown and checked against the model, " + lines + " copy lines, no script errors";
      }
    }
    run().catch(function (e) { out.textContent = "FAIL: the self-test threw " + e; });
  }

  if (location.hash === "#selftest") {
    if (document.readyState === "complete") { selftest(); } else { window.addEventListener("load", selftest); }
  }
})();
`
