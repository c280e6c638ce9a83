//! The exporter's change log (`--record DIR`): JSON Lines of new, changed
//! and gone sockets, as the watch writes them (the `--json` keys; a socket
//! whose tracked counters moved whole, with its `tcp_info`), each line
//! opened with the poll's sequence number, time, interval since the
//! namespace's previous poll and namespace; files rotated by size and by
//! age, the closed ones gzipped on request.
//!
//! Files are `changes-<unix milliseconds of the first line>.jsonl` (or
//! `.jsonl.gz`): their names sort in time order, and `zcat -f DIR/changes-*`
//! reads the log back in order.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The open file of the log.
struct Current {
    out: BufWriter<File>,
    path: PathBuf,
    written: u64,
    opened: Instant,
}

/// Writes the change log into a directory.
pub struct Recorder {
    dir: PathBuf,
    max_bytes: u64,
    max_age: Duration,
    gzip: bool,
    current: Option<Current>,
}

/// `text` as a JSON string's contents.
fn escaped(out: &mut Vec<u8>, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
}

/// Where the poll was and when, for each of its lines.
#[derive(Clone, Copy, Debug)]
pub struct Stamp<'a> {
    /// The poll's sequence number (1 for the first).
    pub seq: u64,
    /// When it finished, in Unix seconds.
    pub time: f64,
    /// Seconds since the namespace's previous poll (0 for its first).
    pub interval: f64,
    /// The namespace's label.
    pub netns: &'a str,
}

impl Recorder {
    /// A log in `dir` (created if missing).
    pub fn new(dir: &Path, max_bytes: u64, max_age: Duration, gzip: bool) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Recorder {
            dir: dir.to_path_buf(),
            max_bytes,
            max_age,
            gzip,
            current: None,
        })
    }

    /// Appends `lines` (JSON objects, one per line) with `stamp`'s keys
    /// first in each.
    pub fn write(&mut self, lines: &[u8], stamp: Stamp<'_>) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut head = Vec::with_capacity(96);
        let _ = write!(
            head,
            "{{\"seq\":{},\"time\":{:.3},\"interval_s\":{:.3},\"netns\":\"",
            stamp.seq, stamp.time, stamp.interval
        );
        escaped(&mut head, stamp.netns);
        head.extend_from_slice(b"\",");
        // One poll's lines stay in one file.
        let cur = self.file(stamp.time)?;
        for line in lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let Some(rest) = line.strip_prefix(b"{") else {
                continue;
            };
            cur.out.write_all(&head)?;
            cur.out.write_all(rest)?;
            cur.out.write_all(b"\n")?;
            cur.written += (head.len() + rest.len() + 1) as u64;
        }
        cur.out.flush()
    }

    /// The file to write into: the open one, or a new one once it is too
    /// big or too old.
    fn file(&mut self, time: f64) -> io::Result<&mut Current> {
        let full = self
            .current
            .as_ref()
            .is_some_and(|c| c.written >= self.max_bytes || c.opened.elapsed() >= self.max_age);
        if full {
            self.close()?;
        }
        match &mut self.current {
            Some(c) => Ok(c),
            slot @ None => {
                let ms = (time * 1000.0) as u64;
                let mut path = self.dir.join(format!("changes-{ms:013}.jsonl"));
                let mut n = 1;
                while path.exists() || path.with_extension("jsonl.gz").exists() {
                    path = self.dir.join(format!("changes-{ms:013}-{n}.jsonl"));
                    n += 1;
                }
                let file = File::options().create_new(true).append(true).open(&path)?;
                Ok(slot.insert(Current {
                    out: BufWriter::with_capacity(64 * 1024, file),
                    path,
                    written: 0,
                    opened: Instant::now(),
                }))
            }
        }
    }

    /// Closes the open file, gzipped if asked.
    fn close(&mut self) -> io::Result<()> {
        let Some(mut cur) = self.current.take() else {
            return Ok(());
        };
        cur.out.flush()?;
        drop(cur.out);
        if self.gzip {
            let gz = cur.path.with_extension("jsonl.gz");
            let mut input = File::open(&cur.path)?;
            let mut enc = flate2::write::GzEncoder::new(
                BufWriter::new(File::create(&gz)?),
                flate2::Compression::fast(),
            );
            io::copy(&mut input, &mut enc)?;
            enc.finish()?.flush()?;
            std::fs::remove_file(&cur.path)?;
        }
        Ok(())
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn lines_are_stamped_and_files_rotate_by_size() {
        let dir = std::env::temp_dir().join(format!("sockdiag-record-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut r = Recorder::new(&dir, 200, Duration::from_secs(3600), true).unwrap();
        let lines = b"{\"event\":\"new\",\"cookie\":1}\n{\"event\":\"gone\",\"cookie\":1}\n";
        for seq in 1..=4 {
            let stamp = Stamp {
                seq,
                time: 1_796_000_000.0 + seq as f64,
                interval: 1.0,
                netns: "a\"b",
            };
            r.write(lines, stamp).unwrap();
        }
        drop(r);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        // 4 polls of 184 bytes in files of 200 (checked before each
        // poll's lines): two files, gzipped.
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names
            .iter()
            .all(|n| n.starts_with("changes-") && n.ends_with(".jsonl.gz")));
        let mut text = String::new();
        for n in &names {
            let f = File::open(dir.join(n)).unwrap();
            io::Read::read_to_string(&mut flate2::read::GzDecoder::new(f), &mut text).unwrap();
        }
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            "{\"seq\":1,\"time\":1796000001.000,\"interval_s\":1.000,\"netns\":\"a\\\"b\",\"event\":\"new\",\"cookie\":1}"
        );
        let seqs: Vec<&str> = text.lines().map(|l| &l[7..8]).collect();
        assert_eq!(seqs, ["1", "1", "2", "2", "3", "3", "4", "4"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
