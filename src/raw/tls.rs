//! `<linux/tls.h>`: kernel-TLS attributes inside `INET_DIAG_ULP_INFO`.

/// `TLS_INFO_VERSION`: `u16` TLS version (`0x0303` = 1.2, `0x0304` = 1.3).
pub const TLS_INFO_VERSION: u16 = 1;
/// `TLS_INFO_CIPHER`: `u16` cipher type (`TLS_CIPHER_*`).
pub const TLS_INFO_CIPHER: u16 = 2;
/// `TLS_INFO_TXCONF`: `u16` transmit configuration (`TLS_CONF_*`).
pub const TLS_INFO_TXCONF: u16 = 3;
/// `TLS_INFO_RXCONF`: `u16` receive configuration (`TLS_CONF_*`).
pub const TLS_INFO_RXCONF: u16 = 4;
/// `TLS_INFO_ZC_RO_TX`: flag, zero-copy sendfile enabled.
pub const TLS_INFO_ZC_RO_TX: u16 = 5;
/// `TLS_INFO_RX_NO_PAD`: flag, receive expects no padding (TLS 1.3).
pub const TLS_INFO_RX_NO_PAD: u16 = 6;

/// `TLS_CONF_BASE`: no offload.
pub const TLS_CONF_BASE: u16 = 1;
/// `TLS_CONF_SW`: kernel software crypto.
pub const TLS_CONF_SW: u16 = 2;
/// `TLS_CONF_HW`: hardware offload.
pub const TLS_CONF_HW: u16 = 3;
/// `TLS_CONF_HW_RECORD`: hardware record offload.
pub const TLS_CONF_HW_RECORD: u16 = 4;
