//! `viva doctor` and `viva devices`.

use std::path::Path;
use std::process::ExitCode;

use viva::models::{Manifest, VerifyCache};

fn line(ok: bool, what: &str, detail: impl std::fmt::Display) {
    println!("{} {what:<22} {detail}", if ok { "OK  " } else { "FIX " });
}

fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let mut f = Vec::new();
        macro_rules! feat {
            ($($name:tt),*) => {$(
                if std::arch::is_x86_feature_detected!($name) { f.push($name); }
            )*};
        }
        feat!(
            "sse4.2",
            "avx",
            "avx2",
            "fma",
            "f16c",
            "avx512f",
            "avx512vnni"
        );
        f.join(" ")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        std::env::consts::ARCH.to_string()
    }
}

pub fn run(models_dir: &Path) -> anyhow::Result<ExitCode> {
    let mut problems = 0;
    println!(
        "Viva {} — offline voice technical interviewer\n",
        env!("CARGO_PKG_VERSION")
    );
    line(true, "cpu", cpu_features());
    line(true, "threads", viva::llm::default_threads());
    let gpu: Vec<&str> = [
        (cfg!(feature = "cuda"), "cuda"),
        (cfg!(feature = "vulkan"), "vulkan"),
        (cfg!(feature = "metal"), "metal"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, n)| *n)
    .collect();
    line(
        true,
        "gpu back-ends",
        if gpu.is_empty() {
            "none compiled in (CPU only; build with --features cuda, vulkan or metal)".to_string()
        } else {
            gpu.join(", ")
        },
    );
    line(
        true,
        "network",
        "none: Viva opens no network connection at run time; models load from local files only",
    );
    match Manifest::load(models_dir) {
        Ok(manifest) => {
            let mut cache = VerifyCache::open(models_dir);
            for m in &manifest.model {
                let status = cache.check(models_dir, m, false);
                let ok = status.is_ok();
                if !ok && m.default {
                    problems += 1;
                }
                if ok || m.default {
                    line(
                        ok,
                        &format!("model {}", m.role),
                        if ok {
                            format!("{} ({})", m.file, m.name)
                        } else {
                            format!("{} is {status}: run `scripts/setup`", m.file)
                        },
                    );
                }
            }
            cache.save();
        }
        Err(e) => {
            problems += 1;
            line(false, "models", e);
        }
    }
    let runtime = Manifest::load(models_dir)
        .ok()
        .and_then(|m| {
            m.default_for(viva::models::Role::Runtime)
                .map(|e| models_dir.join(&e.file))
        })
        .unwrap_or_else(|| models_dir.join("libonnxruntime.so"));
    match viva::onnx_runtime::check_library(&runtime) {
        Ok(v) => line(true, "onnx runtime", format!("{v} ({})", runtime.display())),
        Err(e) => {
            problems += 1;
            line(false, "onnx runtime", e)
        }
    }
    match viva::paths::espeak_data_parent(models_dir) {
        Some(p) => line(true, "espeak-ng data", p.join("espeak-ng-data").display()),
        None => {
            problems += 1;
            line(false, "espeak-ng data", "not found: run `scripts/setup`")
        }
    }
    match viva::paths::stt_worker_binary() {
        Some(p) => line(true, "stt worker", p.display()),
        None => {
            problems += 1;
            line(
                false,
                "stt worker",
                "viva-stt-worker not found next to viva: `cargo build --release`",
            )
        }
    }
    let devices = viva::audio::devices::list();
    line(
        devices.has_input(),
        "microphone",
        if devices.has_input() {
            "available (see `viva devices`)".to_string()
        } else {
            "none: interviews run in text mode (or from WAV files)".to_string()
        },
    );
    line(
        devices.has_output(),
        "speakers",
        if devices.has_output() {
            "available".to_string()
        } else {
            "none: replies are printed (or written as WAV with --audio-out)".to_string()
        },
    );
    line(
        true,
        "network",
        "never used: no network client is linked and no socket is opened; models, audio and records stay on this host (tests/offline.rs proves it in a network namespace)",
    );
    println!();
    if problems == 0 {
        println!("Everything needed for an interview is in place.");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{problems} problem(s): see the FIX lines above.");
        Ok(ExitCode::FAILURE)
    }
}

pub fn devices(json: bool) -> anyhow::Result<ExitCode> {
    let list = viva::audio::devices::list();
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("host: {}", list.host);
    for (kind, devs) in [("input", &list.inputs), ("output", &list.outputs)] {
        if devs.is_empty() {
            println!("{kind}: none");
        }
        for d in devs {
            println!(
                "{kind}{} {} — {}",
                if d.is_default { " (default)" } else { "" },
                d.id,
                match &d.config {
                    Ok(c) => c.clone(),
                    Err(e) => format!("unusable: {e}"),
                }
            );
        }
    }
    if !list.has_input() || !list.has_output() {
        println!("no usable audio device: `viva interview` falls back to text mode");
    }
    Ok(ExitCode::SUCCESS)
}
