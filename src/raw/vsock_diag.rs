//! `<linux/vm_sockets_diag.h>`: vsock socket requests and replies
//! (`vsock_diag`, Linux 4.14). Replies carry no attributes.

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `VMADDR_CID_ANY`: an unbound end's context id (`-1U`).
pub const VMADDR_CID_ANY: u32 = u32::MAX;
/// `VMADDR_PORT_ANY`: an unbound end's port (`-1U`).
pub const VMADDR_PORT_ANY: u32 = u32::MAX;

/// `struct vsock_diag_req` (24 bytes).
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
pub struct vsock_diag_req {
    /// `AF_VSOCK`.
    pub sdiag_family: u8,
    /// Must be 0.
    pub sdiag_protocol: u8,
    /// Must be 0.
    pub pad: U16,
    /// States to dump, `1 << TCP_*`.
    pub vdiag_states: U32,
    /// Must be 0 (reserved).
    pub vdiag_ino: U32,
    /// Must be 0 (reserved).
    pub vdiag_show: U32,
    /// Cookie (unused by the kernel).
    pub vdiag_cookie: [U32; 2],
}

/// `struct vsock_diag_msg` (32 bytes): one vsock socket.
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
pub struct vsock_diag_msg {
    /// `AF_VSOCK`.
    pub vdiag_family: u8,
    /// `SOCK_STREAM`, `SOCK_DGRAM` or `SOCK_SEQPACKET`.
    pub vdiag_type: u8,
    /// `sk_state`, in TCP's numbering (`TCP_LISTEN`, ...).
    pub vdiag_state: u8,
    /// `RCV_SHUTDOWN | SEND_SHUTDOWN`.
    pub vdiag_shutdown: u8,
    /// Local context id.
    pub vdiag_src_cid: U32,
    /// Local port.
    pub vdiag_src_port: U32,
    /// Peer context id.
    pub vdiag_dst_cid: U32,
    /// Peer port.
    pub vdiag_dst_port: U32,
    /// Inode.
    pub vdiag_ino: U32,
    /// Cookie, low word first.
    pub vdiag_cookie: [U32; 2],
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<vsock_diag_req>() == 24);
    assert!(offset_of!(vsock_diag_req, vdiag_states) == 4);
    assert!(offset_of!(vsock_diag_req, vdiag_cookie) == 16);
    assert!(size_of::<vsock_diag_msg>() == 32);
    assert!(offset_of!(vsock_diag_msg, vdiag_src_cid) == 4);
    assert!(offset_of!(vsock_diag_msg, vdiag_ino) == 20);
    assert!(offset_of!(vsock_diag_msg, vdiag_cookie) == 24);
};
