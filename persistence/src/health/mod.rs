//! Health models, and the scores computed from them: for one account on demand or for every
//! account in one batch. Signals are gathered with one grouped query per kind of signal, so a
//! batch costs a dozen queries plus its inserts, however many accounts it covers.

pub mod compute;
pub mod model;
pub mod score;
