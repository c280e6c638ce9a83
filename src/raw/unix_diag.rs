//! `<linux/unix_diag.h>`: unix socket requests and replies.

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `UDIAG_SHOW_NAME`: show the bound name.
pub const UDIAG_SHOW_NAME: u32 = 0x01;
/// `UDIAG_SHOW_VFS`: show the VFS inode of the bound path.
pub const UDIAG_SHOW_VFS: u32 = 0x02;
/// `UDIAG_SHOW_PEER`: show the peer's inode.
pub const UDIAG_SHOW_PEER: u32 = 0x04;
/// `UDIAG_SHOW_ICONS`: show pending connections.
pub const UDIAG_SHOW_ICONS: u32 = 0x08;
/// `UDIAG_SHOW_RQLEN`: show receive and send queue lengths.
pub const UDIAG_SHOW_RQLEN: u32 = 0x10;
/// `UDIAG_SHOW_MEMINFO`: show socket memory.
pub const UDIAG_SHOW_MEMINFO: u32 = 0x20;
/// `UDIAG_SHOW_UID`: show the owner uid (Linux 5.3).
pub const UDIAG_SHOW_UID: u32 = 0x40;

/// `UNIX_DIAG_NAME`: raw `sun_path` bytes. Unix attribute types start at 0.
pub const UNIX_DIAG_NAME: u16 = 0;
/// `UNIX_DIAG_VFS`: `struct unix_diag_vfs`.
pub const UNIX_DIAG_VFS: u16 = 1;
/// `UNIX_DIAG_PEER`: `u32` inode of the peer.
pub const UNIX_DIAG_PEER: u16 = 2;
/// `UNIX_DIAG_ICONS`: `u32[]` inodes of the connecting sockets of a listener.
pub const UNIX_DIAG_ICONS: u16 = 3;
/// `UNIX_DIAG_RQLEN`: `struct unix_diag_rqlen`.
pub const UNIX_DIAG_RQLEN: u16 = 4;
/// `UNIX_DIAG_MEMINFO`: `u32[SK_MEMINFO_VARS]`.
pub const UNIX_DIAG_MEMINFO: u16 = 5;
/// `UNIX_DIAG_SHUTDOWN`: `u8` shutdown state (Linux 3.8).
pub const UNIX_DIAG_SHUTDOWN: u16 = 6;
/// `UNIX_DIAG_UID`: `u32` owner uid (Linux 5.3).
pub const UNIX_DIAG_UID: u16 = 7;

/// `struct unix_diag_req` (24 bytes).
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct unix_diag_req {
    /// `AF_UNIX`.
    pub sdiag_family: u8,
    /// 0.
    pub sdiag_protocol: u8,
    /// Padding.
    pub pad: U16,
    /// State bit mask: bit `s` selects sockets in state `s`.
    pub udiag_states: U32,
    /// Inode, for an exact lookup.
    pub udiag_ino: U32,
    /// `UDIAG_SHOW_*` bits.
    pub udiag_show: U32,
    /// Cookie, for an exact lookup; both `INET_DIAG_NOCOOKIE` = any.
    pub udiag_cookie: [U32; 2],
}

/// `struct unix_diag_msg` (16 bytes): the fixed part of a unix reply.
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct unix_diag_msg {
    /// `AF_UNIX`.
    pub udiag_family: u8,
    /// `SOCK_STREAM`, `SOCK_DGRAM` or `SOCK_SEQPACKET`.
    pub udiag_type: u8,
    /// State, in the `TCP_*` numbering (ESTABLISHED, LISTEN, CLOSE).
    pub udiag_state: u8,
    /// Padding.
    pub pad: u8,
    /// Inode of the socket.
    pub udiag_ino: U32,
    /// Cookie, low word first.
    pub udiag_cookie: [U32; 2],
}

/// `struct unix_diag_vfs` (8 bytes): `UNIX_DIAG_VFS`.
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct unix_diag_vfs {
    /// Inode of the bound path in its filesystem.
    pub udiag_vfs_ino: U32,
    /// Device of that filesystem (`new_encode_dev`).
    pub udiag_vfs_dev: U32,
}

/// `struct unix_diag_rqlen` (8 bytes): `UNIX_DIAG_RQLEN`.
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct unix_diag_rqlen {
    /// Receive queue (listener: pending connections).
    pub udiag_rqueue: U32,
    /// Send queue (listener: backlog).
    pub udiag_wqueue: U32,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<unix_diag_req>() == 24);
    assert!(offset_of!(unix_diag_req, udiag_states) == 4);
    assert!(offset_of!(unix_diag_req, udiag_ino) == 8);
    assert!(offset_of!(unix_diag_req, udiag_show) == 12);
    assert!(offset_of!(unix_diag_req, udiag_cookie) == 16);
    assert!(size_of::<unix_diag_msg>() == 16);
    assert!(offset_of!(unix_diag_msg, udiag_ino) == 4);
    assert!(offset_of!(unix_diag_msg, udiag_cookie) == 8);
    assert!(size_of::<unix_diag_vfs>() == 8);
    assert!(size_of::<unix_diag_rqlen>() == 8);
};
