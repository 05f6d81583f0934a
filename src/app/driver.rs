//! A headless pump: messages through `update`, commands through the effect runner, until
//! nothing runs and nothing is queued. Plain mode and the tests drive the wizard with it.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::effects::Effects;
use super::{Key, Msg, State, init, update};

pub struct Driver {
    pub state: State,
    pub effects: Effects,
    pub rx: UnboundedReceiver<Msg>,
}

impl Driver {
    /// Starts the wizard's opening work (contexts, a named metadata file).
    pub fn new(mut state: State, mut effects: Effects, rx: UnboundedReceiver<Msg>) -> Driver {
        for cmd in init(&mut state) {
            effects.run(cmd, &state);
        }
        Driver { state, effects, rx }
    }

    pub fn dispatch(&mut self, msg: Msg) {
        for cmd in update(&mut self.state, msg) {
            self.effects.run(cmd, &self.state);
        }
    }

    /// Feeds results until no action runs and none is queued. A task sends its result
    /// before it finishes, so "not busy and nothing queued" means settled.
    pub async fn settle(&mut self) {
        loop {
            match self.rx.try_recv() {
                Ok(msg) => self.dispatch(msg),
                Err(_) if self.effects.busy() => {
                    if let Ok(Some(msg)) =
                        tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await
                    {
                        self.dispatch(msg);
                    }
                }
                Err(_) => break,
            }
        }
    }

    pub async fn key(&mut self, key: Key) {
        self.dispatch(Msg::Key(key));
        self.settle().await;
    }
}
