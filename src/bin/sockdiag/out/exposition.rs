//! The exposition formats: Prometheus's text format 0.0.4 and OpenMetrics
//! 1.0, written by one encoder for `--prom` and for the exporter.
//!
//! prometheus-client writes OpenMetrics only; a scraper that does not ask
//! for it (curl, an older Prometheus, an OpenTelemetry receiver) gets the
//! text format, and the two differ exactly where this file says: a
//! counter's `# TYPE` line names the family without `_total` in
//! OpenMetrics, with it in the text format; a population histogram is a
//! `gaugehistogram` (`_gcount`, `_gsum`) in OpenMetrics and a `histogram`
//! in the text format, which has no such type; units are declared only in
//! OpenMetrics; and OpenMetrics ends with `# EOF`.

use std::fmt::Write;

/// Which format to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `text/plain; version=0.0.4`.
    Text,
    /// `application/openmetrics-text; version=1.0.0`.
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// The format a scraper's `Accept` header asks for: OpenMetrics if it
    /// names it, else the text format.
    pub fn negotiate(accept: Option<&str>) -> Format {
        match accept {
            Some(a) if a.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Text,
        }
    }
}

/// What a metric family is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// A value that goes up and down.
    Gauge,
    /// A value that only goes up (named without `_total` here).
    Counter,
    /// Cumulative observations (`_bucket`, `_sum`, `_count`).
    Histogram,
    /// The distribution of a population at one time: its buckets go up
    /// and down.
    GaugeHistogram,
}

/// One metric family's metadata.
#[derive(Clone, Copy, Debug)]
pub struct Family<'a> {
    /// The name, without `_total` for counters.
    pub name: &'a str,
    /// The HELP text.
    pub help: &'a str,
    /// The type.
    pub kind: Type,
    /// The unit the name ends with (`seconds`, `bytes`), if any.
    pub unit: Option<&'static str>,
}

/// Writes families in one format into a string.
pub struct Writer {
    out: String,
    format: Format,
}

/// Writes `value` with `\`, `"` and newlines escaped, as label values need.
fn escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

impl Writer {
    /// An empty exposition.
    pub fn new(format: Format) -> Self {
        Writer {
            out: String::with_capacity(64 * 1024),
            format,
        }
    }

    /// The `# HELP`, `# TYPE` (and in OpenMetrics `# UNIT`) lines of `f`.
    pub fn family(&mut self, f: &Family<'_>) {
        let om = self.format == Format::OpenMetrics;
        let name = match (f.kind, om) {
            (Type::Counter, false) => format!("{}_total", f.name),
            _ => f.name.to_owned(),
        };
        let kind = match (f.kind, om) {
            (Type::Gauge, _) => "gauge",
            (Type::Counter, _) => "counter",
            (Type::Histogram, _) | (Type::GaugeHistogram, false) => "histogram",
            (Type::GaugeHistogram, true) => "gaugehistogram",
        };
        let _ = writeln!(self.out, "# HELP {name} {}", f.help);
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
        if let (true, Some(unit)) = (om, f.unit) {
            let _ = writeln!(self.out, "# UNIT {name} {unit}");
        }
    }

    /// One sample of `f`: `suffix` after its name (`_total` is added for
    /// counters), its labels, its value.
    pub fn sample(&mut self, f: &Family<'_>, suffix: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(f.name);
        self.out.push_str(suffix);
        if f.kind == Type::Counter {
            self.out.push_str("_total");
        }
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.out.push_str(k);
                self.out.push_str("=\"");
                escaped(&mut self.out, v);
                self.out.push('"');
            }
            self.out.push('}');
        }
        self.out.push(' ');
        if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
            let _ = write!(self.out, "{}", value as i64);
        } else if value.is_nan() {
            self.out.push_str("NaN");
        } else if value == f64::INFINITY {
            self.out.push_str("+Inf");
        } else if value == f64::NEG_INFINITY {
            self.out.push_str("-Inf");
        } else {
            let _ = write!(self.out, "{value}");
        }
        self.out.push('\n');
    }

    /// A histogram's samples: cumulative `_bucket`s with `le` (bounds
    /// `bounds`, counts per bucket `counts` with one more for +Inf), its
    /// sum and count (`_gsum`/`_gcount` for a population's in
    /// OpenMetrics).
    pub fn histogram(
        &mut self,
        f: &Family<'_>,
        labels: &[(&str, &str)],
        bounds: &[f64],
        counts: &[u64],
        sum: f64,
    ) {
        let mut with_le: Vec<(&str, &str)> = labels.to_vec();
        let mut cumulative = 0u64;
        let mut le_texts = Vec::with_capacity(bounds.len() + 1);
        for b in bounds {
            le_texts.push(format!("{b}"));
        }
        le_texts.push("+Inf".to_owned());
        for (i, le) in le_texts.iter().enumerate() {
            cumulative += counts.get(i).copied().unwrap_or(0);
            with_le.push(("le", le));
            self.sample(f, "_bucket", &with_le, cumulative as f64);
            with_le.pop();
        }
        let gauge = f.kind == Type::GaugeHistogram && self.format == Format::OpenMetrics;
        let (sum_name, count_name) = if gauge {
            ("_gsum", "_gcount")
        } else {
            ("_sum", "_count")
        };
        self.sample(f, sum_name, labels, sum);
        self.sample(f, count_name, labels, cumulative as f64);
    }

    /// The exposition, ended as its format wants.
    pub fn finish(mut self) -> String {
        if self.format == Format::OpenMetrics {
            self.out.push_str("# EOF\n");
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const OPENED: Family<'static> = Family {
        name: "sockdiag_connections_opened",
        help: "Connections opened.",
        kind: Type::Counter,
        unit: None,
    };
    const RTT: Family<'static> = Family {
        name: "sockdiag_tcp_rtt_seconds",
        help: "Smoothed RTT.",
        kind: Type::GaugeHistogram,
        unit: Some("seconds"),
    };

    #[test]
    fn the_formats_differ_where_they_must() {
        for format in [Format::Text, Format::OpenMetrics] {
            let mut w = Writer::new(format);
            w.family(&OPENED);
            w.sample(&OPENED, "", &[("netns", "a\"b\\c\nd")], 3.0);
            w.family(&RTT);
            w.histogram(&RTT, &[("netns", "x")], &[0.001, 0.5], &[1, 2, 3], 1.25);
            let text = w.finish();
            let om = format == Format::OpenMetrics;
            let type_line = if om {
                "# TYPE sockdiag_connections_opened counter\n"
            } else {
                "# TYPE sockdiag_connections_opened_total counter\n"
            };
            assert!(text.contains(type_line), "{text}");
            assert!(
                text.contains("sockdiag_connections_opened_total{netns=\"a\\\"b\\\\c\\nd\"} 3\n"),
                "{text}"
            );
            assert!(text.contains("sockdiag_tcp_rtt_seconds_bucket{netns=\"x\",le=\"0.001\"} 1\n"));
            assert!(text.contains("sockdiag_tcp_rtt_seconds_bucket{netns=\"x\",le=\"0.5\"} 3\n"));
            assert!(text.contains("sockdiag_tcp_rtt_seconds_bucket{netns=\"x\",le=\"+Inf\"} 6\n"));
            let (sum, count) = if om {
                ("_gsum", "_gcount")
            } else {
                ("_sum", "_count")
            };
            assert!(text.contains(&format!(
                "sockdiag_tcp_rtt_seconds{sum}{{netns=\"x\"}} 1.25\n"
            )));
            assert!(text.contains(&format!(
                "sockdiag_tcp_rtt_seconds{count}{{netns=\"x\"}} 6\n"
            )));
            assert_eq!(text.ends_with("# EOF\n"), om);
            assert_eq!(
                text.contains("# UNIT sockdiag_tcp_rtt_seconds seconds\n"),
                om
            );
            assert_eq!(text.contains("gaugehistogram"), om);
        }
        assert_eq!(
            Format::negotiate(Some(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
            )),
            Format::OpenMetrics
        );
        assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
        assert_eq!(Format::negotiate(None), Format::Text);
    }
}
