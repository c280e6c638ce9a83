//! `/etc/services`: service names and ports.

/// The services database, in file order, indexed by port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Services {
    /// (name, port, protocol, aliases), in file order.
    entries: Vec<Entry>,
    /// Entry indexes sorted by (port, index): the first entry of a port
    /// and protocol is the file's first.
    by_port: Vec<(u16, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    port: u16,
    protocol: String,
    aliases: Vec<String>,
}

impl Services {
    /// Reads the `services(5)` format: `name port/protocol [aliases...]`,
    /// `#` starting a comment. Lines that are not entries are skipped, as
    /// the C library skips them.
    pub fn parse(text: &str) -> Services {
        let mut entries = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut words = line.split_whitespace();
            let (Some(name), Some(port_proto)) = (words.next(), words.next()) else {
                continue;
            };
            let Some((port, protocol)) = port_proto.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            if protocol.is_empty() {
                continue;
            }
            entries.push(Entry {
                name: name.to_owned(),
                port,
                protocol: protocol.to_owned(),
                aliases: words.map(str::to_owned).collect(),
            });
        }
        let mut by_port: Vec<(u16, u32)> = entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((e.port, u32::try_from(i).ok()?)))
            .collect();
        by_port.sort_unstable();
        Services { entries, by_port }
    }

    /// The name of `port` for `protocol` (`tcp`, `udp`): the first entry
    /// of the file, as `getservbyport(3)` answers.
    pub fn name_of(&self, port: u16, protocol: &str) -> Option<&str> {
        let start = self.by_port.partition_point(|&(p, _)| p < port);
        self.by_port
            .get(start..)?
            .iter()
            .take_while(|&&(p, _)| p == port)
            .filter_map(|&(_, i)| self.entries.get(usize::try_from(i).ok()?))
            .find(|e| e.protocol == protocol)
            .map(|e| e.name.as_str())
    }

    /// The port of the service named (or aliased) `name` for `protocol`:
    /// the first entry of the file, as `getservbyname(3)` answers.
    pub fn port_of(&self, name: &str, protocol: &str) -> Option<u16> {
        self.entries
            .iter()
            .find(|e| {
                e.protocol == protocol && (e.name == name || e.aliases.iter().any(|a| a == name))
            })
            .map(|e| e.port)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `/etc/protocols`: IP protocol names by number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Protocols {
    /// (number, name), in file order.
    entries: Vec<(u8, String)>,
}

impl Protocols {
    /// Reads the `protocols(5)` format: `name number [aliases...]`, `#`
    /// starting a comment; other lines are skipped, as the C library
    /// skips them.
    pub fn parse(text: &str) -> Protocols {
        let entries = text
            .lines()
            .filter_map(|line| {
                let mut words = line.split('#').next()?.split_whitespace();
                let name = words.next()?;
                let number = words.next()?.parse::<u8>().ok()?;
                Some((number, name.to_owned()))
            })
            .collect();
        Protocols { entries }
    }

    /// The name of protocol `number`: the file's first, as
    /// `getprotobynumber(3)` answers.
    pub fn name_of(&self, number: u8) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, name)| name.as_str())
    }
}
