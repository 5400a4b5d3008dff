//! A snapshot written in the formats network tools read (`renown graph export`): GraphML
//! (networkx, igraph, Gephi, Cytoscape), GEXF 1.3 (Gephi), a weighted edge list and a NumPy
//! `.npz` that `scipy.sparse.load_npz` reads as the CSR adjacency matrix.
//!
//! Every node of the snapshot is written, isolated ones included, so degrees and PageRank
//! computed from the file equal renown's. Node `i` is the store's dense account id `i`; its
//! attributes are the account (`platform:native_id`), the platform and the handle when known.
//! Every edge carries its weight (1 in the follow graph; the kind weights summed in the
//! engagement graphs), written as the exact decimal of the `f32` renown holds.

use crate::csr::Csr;
use crate::{GraphError, Result};
use renown_store::AccountInfo;
use std::io::{Seek, Write};

/// The file formats of [`write_graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// GraphML (networkx, igraph, Cytoscape read it).
    GraphMl,
    /// GEXF (Gephi's own).
    Gexf,
    /// `source target weight` per line over dense ids, `#` comment lines first; isolated nodes
    /// do not appear (the format has no place for them).
    EdgeList,
    /// `scipy.sparse.save_npz`'s layout (`data`, `indices`, `indptr`, `shape`, `format`) plus
    /// `account` and `handle` string arrays indexed by node.
    Npz,
}

/// What the file describes, for the formats that carry a description.
#[derive(Clone, Debug, Default)]
pub struct GraphMeta {
    /// One line, e.g. "engagement graph as of 2012-07-04T23:59:59Z".
    pub description: String,
}

/// Writes `g` (nodes named by `accounts`, indexed by dense id) in `format`. The `.npz` needs a
/// seekable writer (a zip archive); write to a `Cursor<Vec<u8>>` for a pipe.
pub fn write_graph<W: Write + Seek>(
    g: &Csr,
    accounts: &[AccountInfo],
    meta: &GraphMeta,
    format: GraphFormat,
    out: W,
) -> Result<()> {
    if accounts.len() < g.n() as usize {
        return Err(GraphError::Invalid(format!(
            "the graph has {} nodes but only {} accounts name them",
            g.n(),
            accounts.len()
        )));
    }
    let accounts = &accounts[..g.n() as usize];
    let io = |source| GraphError::Io {
        path: "graph export".into(),
        source,
    };
    match format {
        GraphFormat::GraphMl => {
            let mut w = std::io::BufWriter::new(out);
            write_graphml(g, accounts, meta, &mut w).map_err(io)?;
            w.flush().map_err(io)
        }
        GraphFormat::Gexf => {
            let mut w = std::io::BufWriter::new(out);
            write_gexf(g, accounts, meta, &mut w).map_err(io)?;
            w.flush().map_err(io)
        }
        GraphFormat::EdgeList => {
            let mut w = std::io::BufWriter::new(out);
            write_edge_list(g, meta, &mut w).map_err(io)?;
            w.flush().map_err(io)
        }
        GraphFormat::Npz => write_npz(g, accounts, out),
    }
}

/// Each edge `(source, target, weight)` in CSR order (by source, then as stored).
fn edges(g: &Csr) -> Result<impl Iterator<Item = (u32, u32, f64)> + '_> {
    let out = g.require_out("graph export")?;
    Ok((0..g.n()).flat_map(move |v| {
        let weights = out.neighbor_weights(v);
        out.neighbors(v)
            .iter()
            .enumerate()
            .map(move |(k, &t)| (v, t, weights.map_or(1.0, |w| w[k] as f64)))
    }))
}

/// Escapes text for an XML attribute or element; drops the characters XML 1.0 cannot hold
/// (control characters other than tab, newline and carriage return).
fn xml(s: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_xml_forbidden(c);
    if !s.chars().any(needs) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Tab, newline and carriage return as references, so attribute-value
            // normalisation keeps them.
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if is_xml_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out.into()
}

fn is_xml_forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

fn account(a: &AccountInfo) -> String {
    format!("{}:{}", a.platform, a.native_id)
}

fn write_graphml(
    g: &Csr,
    accounts: &[AccountInfo],
    meta: &GraphMeta,
    w: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    writeln!(
        w,
        "<!-- {} -->",
        xml(&meta.description).replace("--", "- -")
    )?;
    writeln!(
        w,
        r#"<key id="account" for="node" attr.name="account" attr.type="string"/>"#
    )?;
    writeln!(
        w,
        r#"<key id="platform" for="node" attr.name="platform" attr.type="string"/>"#
    )?;
    writeln!(
        w,
        r#"<key id="handle" for="node" attr.name="handle" attr.type="string"/>"#
    )?;
    writeln!(
        w,
        r#"<key id="weight" for="edge" attr.name="weight" attr.type="double"/>"#
    )?;
    writeln!(w, r#"<graph id="renown" edgedefault="directed">"#)?;
    for (i, a) in accounts.iter().enumerate() {
        write!(
            w,
            r#"<node id="{i}"><data key="account">{}</data><data key="platform">{}</data>"#,
            xml(&account(a)),
            xml(&a.platform)
        )?;
        if let Some(h) = &a.handle {
            write!(w, r#"<data key="handle">{}</data>"#, xml(h))?;
        }
        writeln!(w, "</node>")?;
    }
    for (s, t, wt) in edges(g).map_err(std::io::Error::other)? {
        writeln!(
            w,
            r#"<edge source="{s}" target="{t}"><data key="weight">{wt:?}</data></edge>"#
        )?;
    }
    writeln!(w, "</graph>\n</graphml>")
}

fn write_gexf(
    g: &Csr,
    accounts: &[AccountInfo],
    meta: &GraphMeta,
    w: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(
        w,
        "<meta><creator>renown {}</creator><description>{}</description></meta>",
        env!("CARGO_PKG_VERSION"),
        xml(&meta.description)
    )?;
    writeln!(w, r#"<graph defaultedgetype="directed" mode="static">"#)?;
    writeln!(
        w,
        r#"<attributes class="node"><attribute id="account" title="account" type="string"/><attribute id="platform" title="platform" type="string"/><attribute id="handle" title="handle" type="string"/></attributes>"#
    )?;
    writeln!(w, "<nodes>")?;
    for (i, a) in accounts.iter().enumerate() {
        let id = account(a);
        let label = a.handle.as_deref().unwrap_or(&id);
        write!(
            w,
            r#"<node id="{i}" label="{}"><attvalues><attvalue for="account" value="{}"/><attvalue for="platform" value="{}"/>"#,
            xml(label),
            xml(&id),
            xml(&a.platform)
        )?;
        if let Some(h) = &a.handle {
            write!(w, r#"<attvalue for="handle" value="{}"/>"#, xml(h))?;
        }
        writeln!(w, "</attvalues></node>")?;
    }
    writeln!(w, "</nodes>\n<edges>")?;
    for (k, (s, t, wt)) in edges(g).map_err(std::io::Error::other)?.enumerate() {
        writeln!(
            w,
            r#"<edge id="{k}" source="{s}" target="{t}" weight="{wt:?}"/>"#
        )?;
    }
    writeln!(w, "</edges>\n</graph>\n</gexf>")
}

fn write_edge_list(g: &Csr, meta: &GraphMeta, w: &mut impl Write) -> std::io::Result<()> {
    writeln!(w, "# {}", meta.description.replace('\n', " "))?;
    writeln!(
        w,
        "# {} nodes (dense account ids 0..{}), {} edges; isolated nodes are not listed",
        g.n(),
        g.n(),
        g.m()
    )?;
    writeln!(w, "# source target weight")?;
    for (s, t, wt) in edges(g).map_err(std::io::Error::other)? {
        writeln!(w, "{s} {t} {wt:?}")?;
    }
    Ok(())
}

/// A NumPy `.npy` file: the 1.0 header (padded so the data starts on a 64-byte boundary) and
/// the raw little-endian data.
fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let shape = match shape {
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// A NumPy fixed-width unicode array (`<U{width}`, UTF-32 code points padded with zeros).
fn npy_strings(values: &[&str]) -> Vec<u8> {
    let width = values
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut data = Vec::with_capacity(values.len() * width * 4);
    for s in values {
        let mut n = 0;
        for c in s.chars() {
            data.extend_from_slice(&(c as u32).to_le_bytes());
            n += 1;
        }
        data.resize(data.len() + (width - n) * 4, 0);
    }
    npy(&format!("<U{width}"), &[values.len()], &data)
}

fn le_bytes<T: Copy, const N: usize>(values: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    values.iter().flat_map(|&v| f(v)).collect()
}

fn write_npz<W: Write + Seek>(g: &Csr, accounts: &[AccountInfo], out: W) -> Result<()> {
    let adj = g.require_out("graph export")?;
    let n = g.n() as usize;
    let weights: Vec<f64> = match adj.weights() {
        Some(w) => w.iter().map(|&x| x as f64).collect(),
        None => vec![1.0; adj.targets().len()],
    };
    let targets: Vec<i32> = adj.targets().iter().map(|&t| t as i32).collect();
    let offsets: Vec<i64> = adj.offsets().iter().map(|&o| o as i64).collect();
    let ids: Vec<String> = accounts.iter().map(account).collect();
    let handles: Vec<&str> = accounts
        .iter()
        .map(|a| a.handle.as_deref().unwrap_or(""))
        .collect();
    let arrays: [(&str, Vec<u8>); 7] = [
        (
            "data",
            npy(
                "<f8",
                &[weights.len()],
                &le_bytes(&weights, f64::to_le_bytes),
            ),
        ),
        (
            "indices",
            npy(
                "<i4",
                &[targets.len()],
                &le_bytes(&targets, i32::to_le_bytes),
            ),
        ),
        (
            "indptr",
            npy(
                "<i8",
                &[offsets.len()],
                &le_bytes(&offsets, i64::to_le_bytes),
            ),
        ),
        (
            "shape",
            npy(
                "<i8",
                &[2],
                &le_bytes(&[n as i64, n as i64], i64::to_le_bytes),
            ),
        ),
        // scipy reads `format` as a 0-d byte string.
        ("format", npy("|S3", &[], b"csr")),
        (
            "account",
            npy_strings(&ids.iter().map(String::as_str).collect::<Vec<_>>()),
        ),
        ("handle", npy_strings(&handles)),
    ];
    let zip_err = |e: zip::result::ZipError| GraphError::Invalid(format!("writing .npz: {e}"));
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, bytes) in arrays {
        zip.start_file(format!("{name}.npy"), options)
            .map_err(zip_err)?;
        zip.write_all(&bytes).map_err(|source| GraphError::Io {
            path: "graph export".into(),
            source,
        })?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_header_is_aligned_and_well_formed() {
        let f = npy("<i4", &[3], &[0; 12]);
        assert_eq!(&f[..8], b"\x93NUMPY\x01\x00");
        let header_len = u16::from_le_bytes([f[8], f[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0);
        let header = std::str::from_utf8(&f[10..10 + header_len]).unwrap();
        assert!(header.starts_with("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"));
        assert!(header.ends_with('\n'));
        assert_eq!(f.len(), 10 + header_len + 12);
        let scalar = npy("|S3", &[], b"csr");
        assert!(String::from_utf8_lossy(&scalar).contains("'shape': ()"));
    }

    #[test]
    fn npy_strings_pad_to_the_longest() {
        let f = npy_strings(&["ab", "é", ""]);
        assert!(String::from_utf8_lossy(&f).contains("'descr': '<U2'"));
        let data = &f[f.len() - 24..];
        assert_eq!(&data[..8], &[b'a', 0, 0, 0, b'b', 0, 0, 0]);
        assert_eq!(&data[8..12], &0xE9u32.to_le_bytes());
        assert!(data[12..].iter().all(|&b| b == 0));
    }

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1}y\tz"), "xy&#9;z");
        assert!(matches!(xml("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
