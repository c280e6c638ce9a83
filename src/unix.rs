//! Unix-domain sockets (`unix_diag`): the [`UnixRequest`] builder, the
//! borrowed [`UnixMsg`] view, typed [`UnixAttr`]s and the owned
//! [`UnixSocket`].
//!
//! Unix attribute types start at 0 (`UNIX_DIAG_NAME`); there is no
//! "none" slot.

use core::fmt;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use bitflags::bitflags;
use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::IntoBytes;

use crate::common::{
    attr_iterator, attr_shortcuts, fixed_attr, DebugIter, Shutdown, SkMemInfo, SocketType, U32Array,
};
use crate::inet::{States, TcpState};
use crate::netlink::{Attr, Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::unix_diag::{
    self as ru, unix_diag_msg, unix_diag_req, unix_diag_rqlen, unix_diag_vfs,
};
use crate::raw::AF_UNIX;
use crate::request::split_reply;
use crate::request::{cookie, cookie_words, header, RequestBytes};

bitflags! {
    /// What a unix request asks the kernel to show (`udiag_show`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct UnixShow: u32 {
        /// `UDIAG_SHOW_NAME`: the bound name.
        const NAME = ru::UDIAG_SHOW_NAME;
        /// `UDIAG_SHOW_VFS`: the inode and device of the bound path.
        const VFS = ru::UDIAG_SHOW_VFS;
        /// `UDIAG_SHOW_PEER`: the peer's inode.
        const PEER = ru::UDIAG_SHOW_PEER;
        /// `UDIAG_SHOW_ICONS`: a listener's pending connections.
        const ICONS = ru::UDIAG_SHOW_ICONS;
        /// `UDIAG_SHOW_RQLEN`: queue lengths.
        const RQLEN = ru::UDIAG_SHOW_RQLEN;
        /// `UDIAG_SHOW_MEMINFO`: socket memory.
        const MEMINFO = ru::UDIAG_SHOW_MEMINFO;
        /// `UDIAG_SHOW_UID`: the owner uid (Linux 5.3).
        const UID = ru::UDIAG_SHOW_UID;
    }
}

/// A request for unix sockets: a dump (by state) or an exact lookup (by
/// inode, and cookie if known).
///
/// ```
/// use sockdiag::unix::{UnixRequest, UnixShow};
///
/// let dump = UnixRequest::new().with_show(UnixShow::all());
/// let one = UnixRequest::lookup(12345, None);
/// assert_eq!(dump.to_bytes(1).as_bytes().len(), 16 + 24);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnixRequest {
    states: States,
    show: UnixShow,
    lookup: Option<(u32, Option<u64>)>,
}

impl Default for UnixRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl UnixRequest {
    /// A dump of every unix socket ([`States::DEFAULT`]) showing its name,
    /// peer and queue lengths (what `ss -x` shows).
    pub const fn new() -> Self {
        UnixRequest {
            states: States::DEFAULT,
            show: UnixShow::NAME.union(UnixShow::PEER).union(UnixShow::RQLEN),
            lookup: None,
        }
    }

    /// The socket with inode `inode` (and, if given, `cookie`): one reply,
    /// or [`Error::NotFound`](crate::Error::NotFound).
    pub const fn lookup(inode: u32, cookie: Option<u64>) -> Self {
        UnixRequest {
            lookup: Some((inode, cookie)),
            ..Self::new()
        }
    }

    /// Selects the states to dump (`udiag_states`): unix sockets are
    /// `ESTABLISHED`, `LISTEN` or `CLOSE`.
    #[must_use]
    pub const fn with_states(mut self, states: States) -> Self {
        self.states = states;
        self
    }

    /// Selects what to show (`udiag_show`).
    #[must_use]
    pub const fn with_show(mut self, show: UnixShow) -> Self {
        self.show = show;
        self
    }

    /// The request body (`struct unix_diag_req`).
    pub fn to_raw(&self) -> unix_diag_req {
        let (ino, c) = self.lookup.unwrap_or((0, None));
        unix_diag_req {
            sdiag_family: AF_UNIX,
            sdiag_protocol: 0,
            pad: U16::new(0),
            udiag_states: U32::new(self.states.bits()),
            udiag_ino: U32::new(ino),
            udiag_show: U32::new(self.show.bits()),
            udiag_cookie: cookie_words(c),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let body = self.to_raw();
        let hdr = header(16 + 24, SOCK_DIAG_BY_FAMILY, self.lookup.is_none(), seq);
        RequestBytes::new(&[hdr.as_bytes(), body.as_bytes()])
    }
}

crate::request::family_request!(UnixRequest, AF_UNIX => UnixMsg, UnixSocket;
    fn is_lookup(&self) -> bool {
        self.lookup.is_some()
    }
);

/// A borrowed, checked view of one unix socket reply: `struct
/// unix_diag_msg` and the `UNIX_DIAG_*` attributes after it.
#[doc(alias = "unix_diag_msg")]
#[derive(Clone, Copy)]
pub struct UnixMsg<'buf> {
    raw: &'buf unix_diag_msg,
    attrs: &'buf [u8],
    attrs_offset: usize,
}

impl<'buf> UnixMsg<'buf> {
    /// Checks and wraps one `SOCK_DIAG_BY_FAMILY` reply for `AF_UNIX`.
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        let (raw, attrs, attrs_offset) =
            split_reply(msg, Layer::UnixDiagMsg, AF_UNIX, |m: &unix_diag_msg| {
                m.udiag_family
            })?;
        Ok(UnixMsg {
            raw,
            attrs,
            attrs_offset,
        })
    }

    /// The raw `struct unix_diag_msg`.
    pub fn raw(&self) -> &'buf unix_diag_msg {
        self.raw
    }

    /// Socket type (`udiag_type`).
    pub fn socket_type(&self) -> SocketType {
        SocketType::from_raw(self.raw.udiag_type)
    }

    /// State (`udiag_state`): `Established` (connected), `Listen` or
    /// `Close` (unconnected).
    pub fn state(&self) -> TcpState {
        TcpState::from_raw(self.raw.udiag_state)
    }

    /// Inode of the socket (`udiag_ino`).
    pub fn inode(&self) -> u32 {
        self.raw.udiag_ino.get()
    }

    /// The 64-bit cookie (`udiag_cookie`, low word first).
    pub fn cookie(&self) -> u64 {
        cookie(&self.raw.udiag_cookie)
    }

    /// The `UNIX_DIAG_*` attributes, raw.
    pub fn attrs(&self) -> Attrs<'buf> {
        Attrs::with_base(self.attrs, self.attrs_offset)
    }

    /// The attributes, decoded.
    pub fn attributes(&self) -> UnixAttrs<'buf> {
        UnixAttrs::new(self.attrs())
    }

    attr_shortcuts! {
        |_: &Self, a| UnixAttr::decode(a) => UnixAttr, ru;
        /// `UNIX_DIAG_NAME`: the bound name (`Ok(None)` also for an unnamed
        /// socket, or without [`UnixShow::NAME`]).
        name(UNIX_DIAG_NAME) -> Name(UnixName<'buf>);
        /// `UNIX_DIAG_PEER`: the peer's inode.
        peer(UNIX_DIAG_PEER) -> Peer(u32);
        /// `UNIX_DIAG_RQLEN`: the queues (what `ss` shows as Recv-Q and Send-Q).
        rqlen(UNIX_DIAG_RQLEN) -> RqLen(UnixRqLen);
        /// `UNIX_DIAG_VFS`: the inode and device of a path's file.
        vfs(UNIX_DIAG_VFS) -> Vfs(UnixVfs);
        /// `UNIX_DIAG_ICONS`: a listener's pending connections.
        icons(UNIX_DIAG_ICONS) -> Icons(U32Array<'buf>);
        /// `UNIX_DIAG_MEMINFO`: the socket's memory counters.
        skmeminfo(UNIX_DIAG_MEMINFO) -> SkMemInfo(SkMemInfo<&'buf [u8]>);
        /// `UNIX_DIAG_SHUTDOWN`: the directions shut down.
        shutdown(UNIX_DIAG_SHUTDOWN) -> Shutdown(Shutdown);
        /// `UNIX_DIAG_UID`: the owner's uid.
        uid(UNIX_DIAG_UID) -> Uid(u32);
    }
}

impl fmt::Debug for UnixMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixMsg")
            .field("type", &self.socket_type())
            .field("state", &self.state())
            .field("inode", &self.inode())
            .field("cookie", &self.cookie())
            .field("attributes", &DebugIter(self.attributes()))
            .finish()
    }
}

/// The longest unix socket name as `ss` prints it
/// ([`UnixName::ss_bytes`]): `sun_path`'s 108 bytes, an abstract name's
/// leading NUL shown as `@`.
pub const UNIX_NAME_MAX: usize = 108;

/// The name a unix socket is bound to (`UNIX_DIAG_NAME`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnixName<'buf> {
    /// A filesystem path (the `sun_path` bytes up to the first NUL).
    Path(&'buf Path),
    /// An abstract name: the bytes after the leading NUL, exactly (they
    /// may contain more NULs).
    Abstract(&'buf [u8]),
}

impl<'buf> UnixName<'buf> {
    /// Decodes the raw `sun_path` bytes of `UNIX_DIAG_NAME`.
    pub fn from_sun_path(bytes: &'buf [u8]) -> Self {
        match bytes.split_first() {
            Some((0, name)) => UnixName::Abstract(name),
            _ => {
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                UnixName::Path(Path::new(OsStr::from_bytes(
                    bytes.get(..end).unwrap_or(bytes),
                )))
            }
        }
    }

    /// The name as `ss` prints it, in `buf`: a path's bytes, or `@` and
    /// an abstract name's bytes with each NUL as `@` (the form
    /// [`UnixEntry`](crate::inet::filter::UnixEntry) matches). Bytes past
    /// [`UNIX_NAME_MAX`] are cut.
    pub fn ss_bytes<'b>(&self, buf: &'b mut [u8; UNIX_NAME_MAX]) -> &'b [u8] {
        let mut len = 0;
        let mut put = |b: u8| {
            if let Some(slot) = buf.get_mut(len) {
                *slot = b;
                len += 1;
            }
        };
        match self {
            UnixName::Path(p) => p.as_os_str().as_bytes().iter().for_each(|&b| put(b)),
            UnixName::Abstract(a) => {
                put(b'@');
                a.iter().for_each(|&b| put(if b == 0 { b'@' } else { b }));
            }
        }
        buf.get(..len).unwrap_or_default()
    }

    /// An owned copy.
    pub fn to_owned(&self) -> UnixAddr {
        match *self {
            UnixName::Path(p) => UnixAddr::Path(p.to_path_buf()),
            UnixName::Abstract(a) => UnixAddr::Abstract(a.to_vec()),
        }
    }
}

/// Writes a name as `ss` does: a path as is, an abstract name as `@`
/// followed by its bytes, each NUL shown as `@`.
fn write_name(
    f: &mut fmt::Formatter<'_>,
    path: Option<&Path>,
    abstract_name: &[u8],
) -> fmt::Result {
    match path {
        Some(p) => write!(f, "{}", p.display()),
        None => {
            f.write_str("@")?;
            for chunk in abstract_name.utf8_chunks() {
                for c in chunk.valid().chars() {
                    write!(f, "{}", if c == '\0' { '@' } else { c })?;
                }
                if !chunk.invalid().is_empty() {
                    f.write_str("\u{fffd}")?;
                }
            }
            Ok(())
        }
    }
}

impl fmt::Display for UnixName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixName::Path(p) => write_name(f, Some(p), &[]),
            UnixName::Abstract(a) => write_name(f, None, a),
        }
    }
}

impl fmt::Debug for UnixName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixName::Path(p) => f.debug_tuple("Path").field(p).finish(),
            UnixName::Abstract(a) => f.debug_tuple("Abstract").field(&AbstractBytes(a)).finish(),
        }
    }
}

struct AbstractBytes<'a>(&'a [u8]);

impl fmt::Debug for AbstractBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

/// An owned unix socket name.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum UnixAddr {
    /// A filesystem path.
    Path(PathBuf),
    /// An abstract name, without the leading NUL.
    Abstract(Vec<u8>),
}

impl UnixAddr {
    /// The borrowed form.
    pub fn as_name(&self) -> UnixName<'_> {
        match self {
            UnixAddr::Path(p) => UnixName::Path(p),
            UnixAddr::Abstract(a) => UnixName::Abstract(a),
        }
    }
}

impl fmt::Display for UnixAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_name().fmt(f)
    }
}

impl fmt::Debug for UnixAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_name().fmt(f)
    }
}

/// `struct unix_diag_vfs` (`UNIX_DIAG_VFS`), decoded.
#[doc(alias = "unix_diag_vfs")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnixVfs {
    /// `udiag_vfs_ino`: inode of the bound path in its filesystem.
    pub inode: u32,
    /// `udiag_vfs_dev`: device of that filesystem, in the kernel's
    /// internal encoding (`s_dev`, `MKDEV(major, minor)` = `major << 20 |
    /// minor`), not the `st_dev` encoding of `stat(2)`: use
    /// [`major`](Self::major) and [`minor`](Self::minor).
    pub dev: u32,
}

impl UnixVfs {
    /// Major device number (`MAJOR(dev)`: the top 12 bits).
    pub fn major(&self) -> u32 {
        self.dev >> 20
    }

    /// Minor device number (`MINOR(dev)`: the low 20 bits).
    pub fn minor(&self) -> u32 {
        self.dev & 0xf_ffff
    }
}

/// `struct unix_diag_rqlen` (`UNIX_DIAG_RQLEN`), decoded.
#[doc(alias = "unix_diag_rqlen")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnixRqLen {
    /// `udiag_rqueue`: bytes unread (stream), datagrams queued, or for a
    /// listener the connections waiting to be accepted.
    pub rqueue: u32,
    /// `udiag_wqueue`: bytes sent and not yet read by the peer, or for a
    /// listener its backlog.
    pub wqueue: u32,
}

/// One `UNIX_DIAG_*` attribute, decoded.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum UnixAttr<'buf> {
    /// 0 `UNIX_DIAG_NAME` (absent for an unnamed socket).
    Name(UnixName<'buf>),
    /// 1 `UNIX_DIAG_VFS`.
    Vfs(UnixVfs),
    /// 2 `UNIX_DIAG_PEER`: inode of the peer (0 if it has none).
    Peer(u32),
    /// 3 `UNIX_DIAG_ICONS`: inodes of the sockets waiting in a listener's
    /// accept queue (their connecting ends); may be empty.
    Icons(U32Array<'buf>),
    /// 4 `UNIX_DIAG_RQLEN`.
    RqLen(UnixRqLen),
    /// 5 `UNIX_DIAG_MEMINFO`.
    SkMemInfo(SkMemInfo<&'buf [u8]>),
    /// 6 `UNIX_DIAG_SHUTDOWN`.
    Shutdown(Shutdown),
    /// 7 `UNIX_DIAG_UID`: owner uid, mapped into the requester's namespace.
    Uid(u32),
    /// Any other type, raw.
    Other(Attr<'buf>),
}

impl<'buf> UnixAttr<'buf> {
    /// Decodes one attribute; a payload of the wrong length is an error.
    #[inline]
    pub fn decode(attr: Attr<'buf>) -> Result<Self, ParseError> {
        Ok(match attr.kind() {
            ru::UNIX_DIAG_NAME => UnixAttr::Name(UnixName::from_sun_path(attr.payload())),
            ru::UNIX_DIAG_VFS => {
                let v: &unix_diag_vfs = fixed_attr(&attr)?;
                UnixAttr::Vfs(UnixVfs {
                    inode: v.udiag_vfs_ino.get(),
                    dev: v.udiag_vfs_dev.get(),
                })
            }
            ru::UNIX_DIAG_PEER => UnixAttr::Peer(attr.u32()?),
            ru::UNIX_DIAG_ICONS => UnixAttr::Icons(U32Array::new(attr.payload(), attr.offset())?),
            ru::UNIX_DIAG_RQLEN => {
                let q: &unix_diag_rqlen = fixed_attr(&attr)?;
                UnixAttr::RqLen(UnixRqLen {
                    rqueue: q.udiag_rqueue.get(),
                    wqueue: q.udiag_wqueue.get(),
                })
            }
            ru::UNIX_DIAG_MEMINFO => {
                UnixAttr::SkMemInfo(SkMemInfo::new(attr.payload(), attr.offset())?)
            }
            ru::UNIX_DIAG_SHUTDOWN => UnixAttr::Shutdown(Shutdown::from_bits_retain(attr.u8()?)),
            ru::UNIX_DIAG_UID => UnixAttr::Uid(attr.u32()?),
            _ => UnixAttr::Other(attr),
        })
    }
}

attr_iterator! {
    /// Iterator over the typed attributes of a [`UnixMsg`]: a malformed
    /// attribute yields `Err` and iteration goes on; a broken frame ends it.
    UnixAttrs, UnixAttr, UnixAttr::decode
}

/// One unix socket, owned: the fixed fields and every attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnixSocket {
    /// Socket type.
    pub socket_type: SocketType,
    /// State.
    pub state: TcpState,
    /// Inode.
    pub inode: u32,
    /// Cookie.
    pub cookie: u64,
    /// `UNIX_DIAG_NAME`: `None` for an unnamed socket (or if not asked for).
    pub name: Option<UnixAddr>,
    /// `UNIX_DIAG_VFS`.
    pub vfs: Option<UnixVfs>,
    /// `UNIX_DIAG_PEER`.
    pub peer: Option<u32>,
    /// `UNIX_DIAG_ICONS`.
    pub icons: Option<Vec<u32>>,
    /// `UNIX_DIAG_RQLEN`.
    pub rqlen: Option<UnixRqLen>,
    /// `UNIX_DIAG_MEMINFO`.
    pub skmeminfo: Option<SkMemInfo<Box<[u8]>>>,
    /// `UNIX_DIAG_SHUTDOWN`.
    pub shutdown: Option<Shutdown>,
    /// `UNIX_DIAG_UID`.
    pub uid: Option<u32>,
    /// Attributes of other types, as (type, payload).
    pub other: Vec<(u16, Box<[u8]>)>,
    /// Attributes that did not parse.
    pub errors: Vec<ParseError>,
}

impl From<UnixMsg<'_>> for UnixSocket {
    fn from(m: UnixMsg<'_>) -> Self {
        let mut s = UnixSocket {
            socket_type: m.socket_type(),
            state: m.state(),
            inode: m.inode(),
            cookie: m.cookie(),
            name: None,
            vfs: None,
            peer: None,
            icons: None,
            rqlen: None,
            skmeminfo: None,
            shutdown: None,
            uid: None,
            other: Vec::new(),
            errors: Vec::new(),
        };
        for attr in m.attributes() {
            match attr {
                Ok(UnixAttr::Name(n)) => s.name = Some(n.to_owned()),
                Ok(UnixAttr::Vfs(v)) => s.vfs = Some(v),
                Ok(UnixAttr::Peer(p)) => s.peer = Some(p),
                Ok(UnixAttr::Icons(i)) => s.icons = Some(i.iter().collect()),
                Ok(UnixAttr::RqLen(q)) => s.rqlen = Some(q),
                Ok(UnixAttr::SkMemInfo(mi)) => s.skmeminfo = Some(mi.into_owned()),
                Ok(UnixAttr::Shutdown(sh)) => s.shutdown = Some(sh),
                Ok(UnixAttr::Uid(u)) => s.uid = Some(u),
                Ok(UnixAttr::Other(a)) => s.other.push((a.kind(), a.payload().into())),
                Err(e) => s.errors.push(e),
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
