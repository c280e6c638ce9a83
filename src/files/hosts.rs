//! `/etc/hosts`: host names and addresses.

use std::net::IpAddr;

/// The hosts file: addresses and their names, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hosts {
    entries: Vec<(IpAddr, Vec<String>)>,
}

impl Hosts {
    /// Reads the `hosts(5)` format: `address name [aliases...]`, `#`
    /// starting a comment. Lines that are not entries are skipped, as the
    /// C library skips them.
    pub fn parse(text: &str) -> Hosts {
        let mut entries = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut words = line.split_whitespace();
            let Some(Ok(addr)) = words.next().map(str::parse::<IpAddr>) else {
                continue;
            };
            let names: Vec<String> = words.map(str::to_owned).collect();
            if !names.is_empty() {
                entries.push((addr, names));
            }
        }
        Hosts { entries }
    }

    /// Every address of `name` (matched, ignoring ASCII case, against the
    /// names and aliases of each line), in file order, each once.
    pub fn addresses_of(&self, name: &str) -> Vec<IpAddr> {
        let mut out: Vec<IpAddr> = Vec::new();
        for (addr, names) in &self.entries {
            if names.iter().any(|n| n.eq_ignore_ascii_case(name)) && !out.contains(addr) {
                out.push(*addr);
            }
        }
        out
    }

    /// The name of `addr`: the first name of its first line, as
    /// `gethostbyaddr(3)` answers from the file.
    pub fn name_of(&self, addr: IpAddr) -> Option<&str> {
        self.entries
            .iter()
            .find(|(a, _)| *a == addr)
            .and_then(|(_, names)| names.first())
            .map(String::as_str)
    }

    /// The number of lines with an address and a name.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
