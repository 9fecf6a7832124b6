//! Audio devices (cpal). Without a sound card ALSA offers only its `null`
//! device and `default_input_config()` fails: both count as "no device".

use cpal::traits::{DeviceTrait, HostTrait};

/// One device as shown by `viva devices`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    /// Default config, e.g. "48000 Hz, 2 ch, f32", or why there is none.
    pub config: Result<String, String>,
}

/// Inputs and outputs of the default host.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceList {
    pub host: String,
    pub inputs: Vec<DeviceInfo>,
    pub outputs: Vec<DeviceInfo>,
}

impl DeviceList {
    /// A usable (non-`null`, configurable) default input exists.
    pub fn has_input(&self) -> bool {
        self.inputs.iter().any(|d| d.is_default && d.config.is_ok())
    }

    /// A usable default output exists.
    pub fn has_output(&self) -> bool {
        self.outputs
            .iter()
            .any(|d| d.is_default && d.config.is_ok())
    }
}

fn is_null_device(name: &str) -> bool {
    name == "null" || name.starts_with("null ") || name.contains("Discard all samples")
}

fn describe(device: &cpal::Device, input: bool, default_id: &Option<String>) -> DeviceInfo {
    let name = device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|e| format!("<{e}>"));
    let id = device
        .id()
        .map(|i| i.to_string())
        .unwrap_or_else(|_| name.clone());
    let config = if is_null_device(&name) || id.ends_with(":null") {
        Err("ALSA's null device (no sound card)".to_string())
    } else {
        let cfg = if input {
            device.default_input_config()
        } else {
            device.default_output_config()
        };
        cfg.map(|c| {
            format!(
                "{} Hz, {} ch, {:?}",
                c.sample_rate(),
                c.channels(),
                c.sample_format()
            )
        })
        .map_err(|e| e.to_string())
    };
    DeviceInfo {
        is_default: default_id.as_deref() == Some(id.as_str()),
        id,
        name,
        config,
    }
}

/// Runs `f` with the process's stderr pointed at /dev/null: alsa-lib and its
/// JACK/Pulse plugins print probing noise ("Cannot get card index…") that
/// says nothing a user can act on; `viva devices` reports the outcome instead.
fn with_stderr_silenced<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(unix)]
    {
        // SAFETY: plain fd juggling on fd 2; every descriptor opened here is
        // closed, and the original stderr is restored before returning.
        unsafe {
            let saved = libc::dup(2);
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if saved >= 0 && null >= 0 {
                libc::dup2(null, 2);
            }
            let out = f();
            if saved >= 0 {
                libc::dup2(saved, 2);
                libc::close(saved);
            }
            if null >= 0 {
                libc::close(null);
            }
            out
        }
    }
    #[cfg(not(unix))]
    f()
}

/// Lists the default host's devices; never fails (a broken host lists none).
pub fn list() -> DeviceList {
    with_stderr_silenced(list_noisy)
}

fn list_noisy() -> DeviceList {
    let host = cpal::default_host();
    let default_in = host
        .default_input_device()
        .and_then(|d| d.id().ok().map(|i| i.to_string()));
    let default_out = host
        .default_output_device()
        .and_then(|d| d.id().ok().map(|i| i.to_string()));
    let inputs = host
        .input_devices()
        .map(|it| it.map(|d| describe(&d, true, &default_in)).collect())
        .unwrap_or_default();
    let outputs = host
        .output_devices()
        .map(|it| it.map(|d| describe(&d, false, &default_out)).collect())
        .unwrap_or_default();
    DeviceList {
        host: format!("{:?}", host.id()),
        inputs,
        outputs,
    }
}

/// Finds an input (`input`) or output device by its id or name, as `viva
/// devices` prints them (exact match first, then a case-insensitive substring).
pub fn find(name: &str, input: bool) -> Option<cpal::Device> {
    with_stderr_silenced(|| {
        let host = cpal::default_host();
        let devices: Vec<cpal::Device> = if input {
            host.input_devices().ok()?.collect()
        } else {
            host.output_devices().ok()?.collect()
        };
        let label = |d: &cpal::Device| {
            (
                d.id().map(|i| i.to_string()).unwrap_or_default(),
                d.description()
                    .map(|x| x.name().to_string())
                    .unwrap_or_default(),
            )
        };
        let wanted = name.to_lowercase();
        let exact = devices.iter().position(|d| {
            let (id, n) = label(d);
            id == name || n == name
        });
        let index = exact.or_else(|| {
            devices.iter().position(|d| {
                let (id, n) = label(d);
                id.to_lowercase().contains(&wanted) || n.to_lowercase().contains(&wanted)
            })
        })?;
        devices.into_iter().nth(index)
    })
}
