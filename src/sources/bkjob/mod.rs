//! Tencent BlueKing JOB. Status codes are tables in [`codes`].

pub(crate) mod codes;
