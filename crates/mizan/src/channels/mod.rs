//! Typed WebSocket channels (`spec/PROTOCOL.md` §2.15).

mod layer;

pub use layer::{
    ChannelLayer, Delivery, DeliverySink, GroupKey, History, HistoryOptions, LayerError, Position,
    is_valid_group,
};
