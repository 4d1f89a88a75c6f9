//! The bundled sample: a client and a server log of the KB954960 case, as a real pair looks
//! (client in local time with its `tz:` banner and a clock 42 s fast, server in UTC, the same
//! fault IDs on both sides). The main command diagnoses it when given no file.

/// The client's `WindowsUpdate.log`.
pub const KB954960_CLIENT: &[u8] = include_bytes!("../samples/kb954960/WindowsUpdate.log");
/// The server's `SoftwareDistribution.log`.
pub const KB954960_SERVER: &[u8] = include_bytes!("../samples/kb954960/SoftwareDistribution.log");
/// Names the sample is reported under: it is built into the program, not a file on disk.
pub const KB954960_NAMES: [&str; 2] = [
    "[bundled sample] kb954960/WindowsUpdate.log",
    "[bundled sample] kb954960/SoftwareDistribution.log",
];

/// The sample as two inputs.
pub fn kb954960() -> [crate::Input<'static>; 2] {
    [
        crate::Input::Buffer {
            name: KB954960_NAMES[0].to_owned(),
            bytes: KB954960_CLIENT,
        },
        crate::Input::Buffer {
            name: KB954960_NAMES[1].to_owned(),
            bytes: KB954960_SERVER,
        },
    ]
}
