//! `<linux/smc_diag.h>`: SMC socket requests and replies (`smc_diag`,
//! Linux 4.11; `SMC_DIAG_FALLBACK` 5.4).

use zerocopy::byteorder::native_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::inet_diag::inet_diag_sockid;

/// `SMC_DIAG_MODE_SMCR`: SMC over RDMA.
pub const SMC_DIAG_MODE_SMCR: u8 = 0;
/// `SMC_DIAG_MODE_FALLBACK_TCP`: the connection fell back to TCP.
pub const SMC_DIAG_MODE_FALLBACK_TCP: u8 = 1;
/// `SMC_DIAG_MODE_SMCD`: SMC over an ISM device.
pub const SMC_DIAG_MODE_SMCD: u8 = 2;

/// `SMC_DIAG_CONNINFO`: `struct smc_diag_conninfo`.
pub const SMC_DIAG_CONNINFO: u16 = 1;
/// `SMC_DIAG_LGRINFO`: `struct smc_diag_lgrinfo`.
pub const SMC_DIAG_LGRINFO: u16 = 2;
/// `SMC_DIAG_SHUTDOWN`: `u8` of `RCV_SHUTDOWN | SEND_SHUTDOWN`.
pub const SMC_DIAG_SHUTDOWN: u16 = 3;
/// `SMC_DIAG_DMBINFO`: `struct smcd_diag_dmbinfo`.
pub const SMC_DIAG_DMBINFO: u16 = 4;
/// `SMC_DIAG_FALLBACK`: `struct smc_diag_fallback`.
pub const SMC_DIAG_FALLBACK: u16 = 5;

/// `IB_DEVICE_NAME_MAX`.
pub const IB_DEVICE_NAME_MAX: usize = 64;

macro_rules! overlay {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident: $t:ty,)* }) => {
        $(#[$m])*
        #[derive(
            FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug,
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
    /// `struct smc_diag_req` (52 bytes).
    smc_diag_req {
        /// `AF_SMC`.
        diag_family: u8,
        /// Padding.
        pad: [u8; 2],
        /// Attributes to add, `1 << (SMC_DIAG_* - 1)`.
        diag_ext: u8,
        /// Unused by the kernel's dump.
        id: inet_diag_sockid,
    }
}

overlay! {
    /// `struct smc_diag_msg` (64 bytes): one SMC socket, with the
    /// addresses of its TCP (CLC) socket.
    smc_diag_msg {
        /// `AF_SMC` (for IPv4 and IPv6 sockets alike).
        diag_family: u8,
        /// `sk_state` (`SMC_ACTIVE`, `SMC_LISTEN`, ...).
        diag_state: u8,
        /// `SMC_DIAG_MODE_*` (once `diag_fallback`).
        diag_mode: u8,
        /// `RCV_SHUTDOWN | SEND_SHUTDOWN`.
        diag_shutdown: u8,
        /// The CLC socket's ports, addresses and interface; the cookie.
        id: inet_diag_sockid,
        /// Owner.
        diag_uid: U32,
        /// Inode (an `__aligned_u64`).
        diag_inode: U64,
    }
}

overlay! {
    /// `struct smc_diag_cursor` (8 bytes).
    smc_diag_cursor {
        /// Reserved.
        reserved: U16,
        /// Wrap count.
        wrap: U16,
        /// Byte count.
        count: U32,
    }
}

overlay! {
    /// `struct smc_diag_conninfo` (76 bytes): `SMC_DIAG_CONNINFO`.
    smc_diag_conninfo {
        /// Connection token.
        token: U32,
        /// Send buffer size.
        sndbuf_size: U32,
        /// RMB element size.
        rmbe_size: U32,
        /// Peer's RMB element size.
        peer_rmbe_size: U32,
        /// Received producer cursor.
        rx_prod: smc_diag_cursor,
        /// Received consumer cursor.
        rx_cons: smc_diag_cursor,
        /// Sent producer cursor.
        tx_prod: smc_diag_cursor,
        /// Sent consumer cursor.
        tx_cons: smc_diag_cursor,
        /// Received producer flags.
        rx_prod_flags: u8,
        /// Received connection state flags.
        rx_conn_state_flags: u8,
        /// Sent producer flags.
        tx_prod_flags: u8,
        /// Sent connection state flags.
        tx_conn_state_flags: u8,
        /// Prepared-to-send cursor.
        tx_prep: smc_diag_cursor,
        /// Sent cursor.
        tx_sent: smc_diag_cursor,
        /// Confirmed-sent cursor.
        tx_fin: smc_diag_cursor,
    }
}

overlay! {
    /// `struct smc_diag_linkinfo` (146 bytes).
    smc_diag_linkinfo {
        /// Link id.
        link_id: u8,
        /// RDMA device name, NUL-padded.
        ibname: [u8; IB_DEVICE_NAME_MAX],
        /// RDMA device port.
        ibport: u8,
        /// Local GID, as text.
        gid: [u8; 40],
        /// Peer GID, as text.
        peer_gid: [u8; 40],
    }
}

overlay! {
    /// `struct smc_diag_lgrinfo` (147 bytes): `SMC_DIAG_LGRINFO`.
    smc_diag_lgrinfo {
        /// The link.
        lnk: [smc_diag_linkinfo; 1],
        /// Role (`SMC_CLNT` = 0, `SMC_SERV` = 1).
        role: u8,
    }
}

overlay! {
    /// `struct smcd_diag_dmbinfo` (40 bytes): `SMC_DIAG_DMBINFO`.
    smcd_diag_dmbinfo {
        /// Link id.
        linkid: U32,
        /// Padding (the next field is an `__aligned_u64`).
        pad: [u8; 4],
        /// Peer GID.
        peer_gid: U64,
        /// Own GID.
        my_gid: U64,
        /// DMB token.
        token: U64,
        /// Peer's DMBE token.
        peer_token: U64,
    }
}

overlay! {
    /// `struct smc_diag_fallback` (8 bytes): `SMC_DIAG_FALLBACK`.
    smc_diag_fallback {
        /// Why this end fell back to TCP (`SMC_CLC_DECL_*`), 0 if it did not.
        reason: U32,
        /// The peer's reason.
        peer_diagnosis: U32,
    }
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<smc_diag_req>() == 52);
    assert!(size_of::<smc_diag_msg>() == 64);
    assert!(offset_of!(smc_diag_msg, diag_uid) == 52);
    assert!(offset_of!(smc_diag_msg, diag_inode) == 56);
    assert!(size_of::<smc_diag_conninfo>() == 76);
    assert!(offset_of!(smc_diag_conninfo, tx_prep) == 52);
    assert!(size_of::<smc_diag_linkinfo>() == 146);
    assert!(size_of::<smc_diag_lgrinfo>() == 147);
    assert!(size_of::<smcd_diag_dmbinfo>() == 40);
    assert!(offset_of!(smcd_diag_dmbinfo, peer_gid) == 8);
    assert!(size_of::<smc_diag_fallback>() == 8);
};
