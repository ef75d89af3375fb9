//! Commands: script text is code, values are data ([`crate::command`]).
//! The plan has split each command into its pieces
//! ([`crate::plan::Command`]); here they are evaluated in order into a
//! [`CommandLine`], which keeps every value out of the shell's code.

use super::{error, Machine, Res};
use crate::command::CommandLine;
use crate::error::RunErrorKind;
use crate::plan::{Command, Piece};

impl<'a> Machine<'a> {
    /// The command `command` stands for: its code as written, each value
    /// as data, `$shellcode(...)` as code.
    pub(super) fn eval_command(&mut self, command: &'a Command) -> Res<CommandLine> {
        let mut line = CommandLine::new();
        let mut value = self.take_text();
        let result = self.build_command(command, &mut line, &mut value);
        self.give_text(value);
        result.map(|()| line)
    }

    fn build_command(
        &mut self,
        command: &'a Command,
        line: &mut CommandLine,
        value: &mut String,
    ) -> Res<()> {
        for piece in command.pieces.iter() {
            match piece {
                Piece::Code(code) => line.code(code),
                Piece::Spliced(inner) => {
                    value.clear();
                    self.text_into(inner, value)?;
                    line.code(value);
                }
                Piece::Data(inner, span) => {
                    value.clear();
                    self.text_into(inner, value)?;
                    line.data(value).map_err(|refused| {
                        error(
                            RunErrorKind::DataInCommand {
                                reason: refused.to_string(),
                            },
                            *span,
                        )
                    })?;
                }
            }
        }
        Ok(())
    }
}
