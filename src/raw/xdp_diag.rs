//! `<linux/xdp_diag.h>`: AF_XDP socket requests and replies (`xsk_diag`,
//! Linux 5.1; `XDP_DIAG_STATS` 5.9).

use zerocopy::byteorder::native_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `XDP_SHOW_INFO`: interface and queue.
pub const XDP_SHOW_INFO: u32 = 1 << 0;
/// `XDP_SHOW_RING_CFG`: ring sizes.
pub const XDP_SHOW_RING_CFG: u32 = 1 << 1;
/// `XDP_SHOW_UMEM`: the UMEM and its rings.
pub const XDP_SHOW_UMEM: u32 = 1 << 2;
/// `XDP_SHOW_MEMINFO`: socket memory.
pub const XDP_SHOW_MEMINFO: u32 = 1 << 3;
/// `XDP_SHOW_STATS`: drop counters (Linux 5.9).
pub const XDP_SHOW_STATS: u32 = 1 << 4;

/// `XDP_DIAG_INFO`: `struct xdp_diag_info`.
pub const XDP_DIAG_INFO: u16 = 1;
/// `XDP_DIAG_UID`: `u32`.
pub const XDP_DIAG_UID: u16 = 2;
/// `XDP_DIAG_RX_RING`: `struct xdp_diag_ring`.
pub const XDP_DIAG_RX_RING: u16 = 3;
/// `XDP_DIAG_TX_RING`: `struct xdp_diag_ring`.
pub const XDP_DIAG_TX_RING: u16 = 4;
/// `XDP_DIAG_UMEM`: `struct xdp_diag_umem`.
pub const XDP_DIAG_UMEM: u16 = 5;
/// `XDP_DIAG_UMEM_FILL_RING`: `struct xdp_diag_ring`.
pub const XDP_DIAG_UMEM_FILL_RING: u16 = 6;
/// `XDP_DIAG_UMEM_COMPLETION_RING`: `struct xdp_diag_ring`.
pub const XDP_DIAG_UMEM_COMPLETION_RING: u16 = 7;
/// `XDP_DIAG_MEMINFO`: `u32[SK_MEMINFO_VARS]`.
pub const XDP_DIAG_MEMINFO: u16 = 8;
/// `XDP_DIAG_STATS`: `struct xdp_diag_stats`.
pub const XDP_DIAG_STATS: u16 = 9;

/// `XDP_DU_F_ZEROCOPY`: the UMEM is in zero-copy mode.
pub const XDP_DU_F_ZEROCOPY: u32 = 1 << 0;

macro_rules! overlay {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident: $t:ty,)* }) => {
        $(#[$m])*
        #[derive(
            FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, Default,
            PartialEq, Eq,
        )]
        #[repr(C)]
        #[allow(non_camel_case_types)]
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
        }
    };
}

overlay! {
    /// `struct xdp_diag_req` (20 bytes).
    xdp_diag_req {
        /// `AF_XDP`.
        sdiag_family: u8,
        /// Must be 0.
        sdiag_protocol: u8,
        /// Must be 0.
        pad: U16,
        /// Inode (unused by the kernel).
        xdiag_ino: U32,
        /// `XDP_SHOW_*` bits.
        xdiag_show: U32,
        /// Cookie (unused by the kernel).
        xdiag_cookie: [U32; 2],
    }
}

overlay! {
    /// `struct xdp_diag_msg` (16 bytes): the fixed part of a reply.
    xdp_diag_msg {
        /// `AF_XDP`.
        xdiag_family: u8,
        /// `SOCK_RAW`.
        xdiag_type: u8,
        /// Padding.
        pad: U16,
        /// Inode.
        xdiag_ino: U32,
        /// Cookie, low word first.
        xdiag_cookie: [U32; 2],
    }
}

overlay! {
    /// `struct xdp_diag_info` (8 bytes): `XDP_DIAG_INFO`.
    xdp_diag_info {
        /// Interface the socket is bound to.
        ifindex: U32,
        /// Its queue.
        queue_id: U32,
    }
}

overlay! {
    /// `struct xdp_diag_ring` (4 bytes): a ring's size.
    xdp_diag_ring {
        /// Number of descriptors.
        entries: U32,
    }
}

overlay! {
    /// `struct xdp_diag_umem` (40 bytes): `XDP_DIAG_UMEM`.
    xdp_diag_umem {
        /// Size, bytes.
        size: U64,
        /// UMEM id.
        id: U32,
        /// Pages.
        num_pages: U32,
        /// Chunk size, bytes.
        chunk_size: U32,
        /// Headroom, bytes.
        headroom: U32,
        /// Interface it is bound to.
        ifindex: U32,
        /// Queue.
        queue_id: U32,
        /// `XDP_DU_F_*`.
        flags: U32,
        /// Sockets sharing it.
        refs: U32,
    }
}

overlay! {
    /// `struct xdp_diag_stats` (48 bytes): `XDP_DIAG_STATS`.
    xdp_diag_stats {
        /// Received frames dropped.
        n_rx_dropped: U64,
        /// Invalid receive descriptors.
        n_rx_invalid: U64,
        /// Frames dropped on a full receive ring.
        n_rx_full: U64,
        /// Times the fill ring was empty.
        n_fill_ring_empty: U64,
        /// Invalid transmit descriptors.
        n_tx_invalid: U64,
        /// Times the transmit ring was empty.
        n_tx_ring_empty: U64,
    }
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<xdp_diag_req>() == 20);
    assert!(offset_of!(xdp_diag_req, xdiag_show) == 8);
    assert!(size_of::<xdp_diag_msg>() == 16);
    assert!(offset_of!(xdp_diag_msg, xdiag_cookie) == 8);
    assert!(size_of::<xdp_diag_info>() == 8);
    assert!(size_of::<xdp_diag_ring>() == 4);
    assert!(size_of::<xdp_diag_umem>() == 40);
    assert!(offset_of!(xdp_diag_umem, refs) == 36);
    assert!(size_of::<xdp_diag_stats>() == 48);
};
