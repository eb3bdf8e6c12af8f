//! Rendering a result: a JMESPath `--query` first, then JSON, YAML or a table; and statistics
//! as a bar chart. Tables show scalars; nested values are shown as compact JSON, cut to a
//! readable width (the JSON and YAML outputs are the place for whole values).

use serde_json::Value;

use crate::exit::Failure;

/// The widest a table cell gets before it is cut.
const CELL_WIDTH: usize = 48;
/// The most columns a list table shows when `--query` did not choose them.
const MAX_COLUMNS: usize = 8;
/// Columns shown first when present.
const PREFERRED: &[&str] = &[
    "uid",
    "id",
    "name",
    "email",
    "status",
    "type",
    "action_uid",
    "progress",
    "memory_size",
    "port",
    "role",
    "version",
    "addr",
    "shards_count",
];

/// Applies a JMESPath expression.
pub fn query(value: Value, expression: Option<&str>) -> Result<Value, Failure> {
    let Some(expression) = expression else {
        return Ok(value);
    };
    let compiled =
        jmespath::compile(expression).map_err(|e| Failure::usage(format!("--query: {e}")))?;
    let found = compiled
        .search(value)
        .map_err(|e| Failure::usage(format!("--query: {e}")))?;
    serde_json::to_value(&*found).map_err(|e| Failure::local(format!("--query result: {e}")))
}

/// Renders `value` in `format` (`json`, `yaml` or `table`).
pub fn render(value: &Value, format: &str) -> Result<String, Failure> {
    match format {
        "yaml" => serde_yaml::to_string(value).map_err(|e| Failure::local(e.to_string())),
        "table" => Ok(table(value)),
        _ => serde_json::to_string_pretty(value)
            .map(|s| s + "\n")
            .map_err(|e| Failure::local(e.to_string())),
    }
}

/// A table: a list of objects as rows, one object as `FIELD VALUE` lines, anything else as is.
pub fn table(value: &Value) -> String {
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            let columns = columns(items);
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|item| columns.iter().map(|c| cell(item.get(c))).collect())
                .collect();
            grid(&columns, &rows)
        }
        Value::Array(items) => {
            let rows: Vec<Vec<String>> = items.iter().map(|v| vec![cell(Some(v))]).collect();
            grid(&["VALUE".to_string()], &rows)
        }
        Value::Object(map) => {
            // Sorted by name: the same table whatever order the server (or serde_json's
            // `preserve_order` feature, which another workspace crate turns on) keeps keys in.
            let mut rows: Vec<Vec<String>> = map
                .iter()
                .map(|(k, v)| vec![k.clone(), cell(Some(v))])
                .collect();
            rows.sort();
            grid(&["FIELD".to_string(), "VALUE".to_string()], &rows)
        }
        Value::Null => String::new(),
        other => format!("{}\n", cell(Some(other))),
    }
}

/// The columns of a list table: preferred names first, then the other scalar members (sorted by
/// name, so the table does not depend on key order), at most [`MAX_COLUMNS`]; `--query` chooses
/// others.
fn columns(items: &[Value]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        if let Value::Object(map) = item {
            for (k, v) in map {
                if !v.is_object() && !v.is_array() && !seen.contains(k) {
                    seen.push(k.clone());
                }
            }
        }
    }
    seen.sort();
    if seen.is_empty() {
        // Only nested members: show them all, compacted.
        if let Some(Value::Object(map)) = items.first() {
            seen = map.keys().cloned().collect();
            seen.sort();
        }
    }
    let mut chosen: Vec<String> = PREFERRED
        .iter()
        .filter(|p| seen.iter().any(|s| s == *p))
        .map(|p| p.to_string())
        .collect();
    for s in &seen {
        if chosen.len() >= MAX_COLUMNS {
            break;
        }
        if !chosen.contains(s) {
            chosen.push(s.clone());
        }
    }
    chosen.truncate(MAX_COLUMNS);
    chosen
}

fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let text = text.replace('\n', " ");
    if text.chars().count() > CELL_WIDTH {
        let cut: String = text.chars().take(CELL_WIDTH - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn grid(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let upper: Vec<String> = header.iter().map(|h| h.to_uppercase()).collect();
    let mut out = line(&upper);
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// A horizontal bar chart of `metric` over the intervals of a statistics result: every object
/// found (at any depth) that has both `stime` and a numeric `metric` is one bar, labelled by
/// its owner's `uid` when the result holds several objects.
pub fn chart(value: &Value, metric: &str, width: usize) -> Result<String, Failure> {
    let mut points: Vec<(String, f64)> = Vec::new();
    collect_points(value, metric, None, &mut points);
    if points.is_empty() {
        return Err(Failure::usage(format!(
            "--chart: no interval in the result has a numeric {metric}"
        )));
    }
    let max = points.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let label_width = points
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("{metric}\n");
    for (label, v) in &points {
        let eighths = if max > 0.0 {
            ((v / max) * (width as f64) * 8.0).round() as usize
        } else {
            0
        };
        let mut bar = "█".repeat(eighths / 8);
        const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
        bar.push_str(PARTS[eighths % 8]);
        out.push_str(&format!(
            "{label:<label_width$}  {bar:<width$}  {v}\n",
            width = width
        ));
    }
    Ok(out)
}

fn collect_points(value: &Value, metric: &str, owner: Option<&str>, out: &mut Vec<(String, f64)>) {
    match value {
        Value::Object(map) => {
            let owner_here = map
                .get("uid")
                .map(|u| match u {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .or(owner.map(str::to_string));
            if let (Some(stime), Some(v)) = (map.get("stime"), map.get(metric)) {
                let number = v
                    .as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
                if let Some(number) = number {
                    let stime = stime
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or(stime.to_string());
                    let label = match &owner_here {
                        Some(o) => format!("{o} {stime}"),
                        None => stime,
                    };
                    out.push((label, number));
                }
            }
            for (k, v) in map {
                if k != metric {
                    collect_points(v, metric, owner_here.as_deref(), out);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                collect_points(v, metric, owner, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_tables_prefer_known_columns() {
        let rows = json!([{"uid": 1, "name": "a", "status": "active", "nested": {"x": 1}}]);
        assert_eq!(table(&rows), "UID  NAME  STATUS\n1    a     active\n");
        let one = json!({"uid": 1, "name": "a"});
        assert_eq!(table(&one), "FIELD  VALUE\nname   a\nuid    1\n");
        // Other columns are sorted by name, not taken in the order the keys arrived in.
        let others = json!([{"zeta": 1, "alpha": 2}]);
        assert_eq!(table(&others), "ALPHA  ZETA\n2      1\n");
    }

    #[test]
    fn charts_draw_one_bar_per_interval() {
        let stats = json!({"intervals": [
            {"stime": "t1", "etime": "t2", "used_memory": 50.0},
            {"stime": "t2", "etime": "t3", "used_memory": 100.0}
        ]});
        let drawn = chart(&stats, "used_memory", 4).expect("two points");
        assert_eq!(drawn, "used_memory\nt1  ██    50\nt2  ████  100\n");
        assert!(chart(&stats, "missing", 4).is_err());
    }

    #[test]
    fn queries_use_jmespath() {
        let v = json!([{"uid": 1, "name": "a"}, {"uid": 2, "name": "b"}]);
        assert_eq!(query(v, Some("[].name")).expect("valid"), json!(["a", "b"]));
    }
}
