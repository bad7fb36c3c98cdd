//! Deterministic, realistic payloads for the benches, the allocation test and
//! the peak-RSS example (included with `#[path]` by each of them).
//!
//! Shapes follow `shared/research/formats.md` §1.4 (SWR), §2.4 (CodeArts
//! lines), §4.3 and §4.7 (BlueKing JOB v2, bk-job 3.x) and the probe of
//! `shared/research/perf-anchors.md` §3: SplitMix64 with fixed seeds, so the
//! same size gives the same bytes on every run.

#![allow(dead_code)]

use std::fmt::Write as _;

/// Seed of the CodeArts text (the probe's).
pub const SEED_TEXT: u64 = 0xC0DE_A475;
/// Seed of the SWR documents (the probe's).
pub const SEED_SWR: u64 = 0x5_3752;
/// Seed of the BlueKing documents (the probe's).
pub const SEED_BK: u64 = 0xB1_0EC1;

/// SplitMix64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `per_mille` / 1000.
    pub fn per_mille(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn hex(&mut self, out: &mut String, n: usize) {
        const H: &[u8; 16] = b"0123456789abcdef";
        for _ in 0..n {
            out.push(H[self.below(16) as usize] as char);
        }
    }
    fn alnum(&mut self, out: &mut String, n: usize) {
        const A: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        for _ in 0..n {
            out.push(A[self.below(A.len() as u64) as usize] as char);
        }
    }
}

// ---------------------------------------------------------------------------
// Message text: tool output as CodeArts, SWR and BlueKing logs carry it.

const GROUPS: &[&str] = &[
    "org/springframework/boot",
    "com/fasterxml/jackson/core",
    "org/apache/commons",
    "io/netty",
    "com/huaweicloud/sdk",
    "org/slf4j",
    "com/google/guava",
];
const ARTIFACTS: &[&str] = &[
    "spring-boot-starter-web",
    "jackson-databind",
    "commons-lang3",
    "netty-handler",
    "huaweicloud-sdk-codeartsbuild",
    "slf4j-api",
    "guava",
    "maven-surefire-plugin",
];
const CLASSES: &[&str] = &[
    "OrderService",
    "UserController",
    "PaymentGateway",
    "BuildLogParser",
    "RetryPolicy",
    "ConfigLoader",
];
const NPM: &[&str] = &[
    "request@2.88.2",
    "har-validator@5.1.5",
    "uuid@3.4.0",
    "core-js@2.6.12",
    "querystring@0.2.0",
    "source-map-url@0.4.1",
];
const CHINESE: &[&str] = &[
    "编译成功，耗时 ",
    "开始下载依赖包，共 ",
    "正在上传构建产物到 OBS：x86_64/",
    "克隆仓库完成，共 ",
    "单元测试执行完毕，失败用例数 ",
    "镜像构建完成，镜像大小 ",
];

/// One line of tool output (no level token), appended to `out`. May hold
/// `< > & "` and CJK text; never a line break, CR or ESC.
pub fn tool_line(rng: &mut Rng, out: &mut String) {
    match rng.below(24) {
        0 => {
            let _ = write!(
                out,
                "Downloading from central: https://repo.maven.apache.org/maven2/{}/{}/{}.{}.{}/{}-{}.{}.{}.pom",
                rng.pick(GROUPS),
                rng.pick(ARTIFACTS),
                rng.below(6),
                rng.below(20),
                rng.below(10),
                rng.pick(ARTIFACTS),
                rng.below(6),
                rng.below(20),
                rng.below(10)
            );
        }
        1 => {
            let _ = write!(
                out,
                "Downloaded from central: https://repo.maven.apache.org/maven2/{}/{}/{}.{}/{}-{}.{}.jar ({} kB at {}.{} MB/s)",
                rng.pick(GROUPS),
                rng.pick(ARTIFACTS),
                rng.below(6),
                rng.below(20),
                rng.pick(ARTIFACTS),
                rng.below(6),
                rng.below(20),
                rng.range(2, 4000),
                rng.below(30),
                rng.below(10)
            );
        }
        2 => {
            let _ = write!(
                out,
                " > git fetch --tags --force --progress -- https://codehub.devcloud.cn-north-4.huaweicloud.com/{}/{}.git +refs/heads/*:refs/remotes/origin/* # timeout=10",
                rng.pick(ARTIFACTS),
                rng.pick(CLASSES)
            );
        }
        3 => {
            out.push_str("Checking out Revision ");
            rng.hex(out, 40);
            out.push_str(" (refs/remotes/origin/master)");
        }
        4 => {
            let _ = write!(
                out,
                "Step {}/{} : RUN mvn -q package -DskipTests && cp target/app.jar /app/ && echo done > /tmp/s",
                rng.range(1, 12),
                12
            );
        }
        5 => {
            out.push_str(" ---> Running in ");
            rng.hex(out, 12);
        }
        6 => {
            out.push_str("$ docker stop --time=1 ");
            rng.hex(out, 12);
        }
        7 => {
            rng.hex(out, 12);
            out.push_str(": Pushed");
        }
        8 => {
            let _ = write!(
                out,
                "npm WARN deprecated {}: this library is no longer supported, see https://github.com/request/request/issues/{}",
                rng.pick(NPM),
                rng.range(1000, 9999)
            );
        }
        9 => {
            let _ = write!(
                out,
                "added {} packages from {} contributors and audited {} packages in {}.{}s",
                rng.range(10, 1500),
                rng.range(5, 900),
                rng.range(10, 1600),
                rng.below(90),
                rng.below(1000)
            );
        }
        10 => {
            let _ = write!(
                out,
                "+ cd ***//build/{} && make -j4 ARCH=x86_64",
                rng.pick(CLASSES)
            );
        }
        11 => {
            let f = rng.pick(CLASSES);
            let _ = write!(
                out,
                "gcc -O2 -Wall -Wextra -fPIC -I./include -c src/{f}.c -o build/{f}.o"
            );
        }
        12 => {
            out.push_str(
                r#"if [ "$RETRY" < 10 ] && [ -f ***//target/server-1.0.jar ]; then echo ok; fi"#,
            );
        }
        13 => {
            let _ = write!(out, "{}{} 个", rng.pick(CHINESE), rng.range(1, 9999));
        }
        14 => {
            let _ = write!(
                out,
                "Tests run: {}, Failures: 0, Errors: 0, Skipped: {}, Time elapsed: {}.{} s - in com.example.{}Test",
                rng.range(1, 300),
                rng.below(5),
                rng.below(40),
                rng.below(1000),
                rng.pick(CLASSES)
            );
        }
        15 => {
            let _ = write!(
                out,
                "Compiling {} source files to ***//target/classes",
                rng.range(3, 900)
            );
        }
        16 => {
            out.push_str(
                "https://user:******@github.com/org/rest-service.git /projects/github/org/",
            );
            let _ = write!(
                out,
                "{}/{}/rest-service",
                rng.range(1000, 9999),
                rng.range(1000, 9999)
            );
        }
        17 => {
            out.push_str("Removing intermediate container ");
            rng.hex(out, 12);
        }
        18 => {
            let _ = write!(
                out,
                "--- maven-compiler-plugin:3.8.1:compile (default-compile) @ {} ---",
                rng.pick(ARTIFACTS)
            );
        }
        19 => {
            let _ = write!(
                out,
                "Sending build context to Docker daemon  {}.{}MB",
                rng.range(1, 900),
                rng.below(100)
            );
        }
        20 => {
            let _ = write!(
                out,
                "{}.{}: 构建步骤 <{}> 执行结束 & 返回码 {}",
                rng.below(24),
                rng.below(60),
                rng.pick(CLASSES),
                rng.below(3)
            );
        }
        21 => {
            out.push_str(" * branch master -> FETCH_HEAD");
        }
        22 => {
            let _ = write!(
                out,
                "Finished at: 2026-06-24T22:{:02}:{:02}+08:00 (total {} ms)",
                rng.below(60),
                rng.below(60),
                rng.range(100, 99999)
            );
        }
        _ => {
            let _ = write!(
                out,
                "Installing collected packages: urllib3-{}.{}, idna-{}.{}, certifi-2024.{}.{}, requests-2.{}.0",
                rng.below(3),
                rng.below(20),
                rng.below(4),
                rng.below(10),
                rng.range(1, 12),
                rng.range(1, 28),
                rng.below(32)
            );
        }
    }
}

/// A long line (a class path, minified output): about `len` bytes.
fn long_line(rng: &mut Rng, out: &mut String, len: usize) {
    out.push_str("java -classpath ");
    let start = out.len();
    while out.len() - start < len {
        let _ = write!(
            out,
            "/root/.m2/repository/{}/{}/{}.{}/{}-{}.{}.jar:",
            rng.pick(GROUPS),
            rng.pick(ARTIFACTS),
            rng.below(6),
            rng.below(20),
            rng.pick(ARTIFACTS),
            rng.below(6),
            rng.below(20)
        );
    }
    out.push_str(" com.example.Main");
}

/// A Maven-style bare-level message: `[INFO] …`, `[WARNING] …`, `[ERROR] …`.
fn bare_level_line(rng: &mut Rng, out: &mut String) {
    let level = match rng.below(100) {
        0..=85 => "[INFO] ",
        86..=97 => "[WARNING] ",
        _ => "[ERROR] ",
    };
    out.push_str(level);
    match rng.below(6) {
        0 => out.push_str("BUILD SUCCESS"),
        1 => out.push_str(
            "Using platform encoding (UTF-8 actually) to copy filtered resources, i.e. build is platform dependent!",
        ),
        2 => {
            let _ = write!(out, "Total time:  01:{:02} min", rng.below(60));
        }
        _ => tool_line(rng, out),
    }
}

// ---------------------------------------------------------------------------
// CodeArts Build text (formats.md §2.4).

/// Stages as `[display name:step id]` (CJK names, a name with a trailing space).
const STEPS: &[(&str, &str)] = &[
    ("代码检出", "external_pre_checkout"),
    ("Maven构建", "external_post_maven"),
    ("上传archive文件到OBS", "external_obs_uploader"),
    ("使用SWR公共镜像 ", "user_properties"),
    ("Cache Check", "external_cache_check"),
    ("PRE_ENV", "slave_create"),
    ("构建镜像并推送到SWR", "external_docker_build"),
    ("执行shell命令", "external_shell"),
];
const PLATFORM_MESSAGES: &[&str] = &[
    "获取上传OBS所需临时凭证。",
    "解析构建产物路径：x86_64/*whl",
    "[WARN]DEV.CB.02101217,用户名或密码为空。",
    "开始执行构建命令",
    "构建命令执行成功，返回码 0",
    "Parameters initialized.",
    "镜像推送成功：swr.cn-north-4.myhuaweicloud.com/org/app:1.0.3",
];

/// What to put in a CodeArts text log.
#[derive(Clone, Copy)]
pub struct TextOpts {
    /// Add a few ANSI-coloured lines (0.1 %); off for the allocation test,
    /// whose messages must all borrow.
    pub ansi: bool,
}

/// A wall clock in milliseconds since 2026-06-24 00:00:00 +08:00, rendered
/// as the CodeArts prefix.
struct Clock {
    ms: i64,
}

/// Days from 2026-06-24 to civil dates, for prefixes in any year or month.
fn civil_from_days(days_since_epoch: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm, days since 1970-01-01.
    let z = days_since_epoch + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// 2026-06-24 as days since 1970-01-01.
const DAY0: i64 = 20_628;

impl Clock {
    /// `[yyyy/MM/dd HH:mm:ss.SSS GMT+08:00] ` for the instant `ms`, written
    /// in +08:00 or (GitCode runners) +00:00.
    fn prefix(out: &mut String, ms: i64, utc: bool) {
        let local = if utc { ms - 8 * 3_600_000 } else { ms };
        let days = local.div_euclid(86_400_000);
        let in_day = local.rem_euclid(86_400_000);
        let (y, mo, d) = civil_from_days(DAY0 + days);
        let _ = write!(
            out,
            "[{y:04}/{mo:02}/{d:02} {:02}:{:02}:{:02}.{:03} GMT{}] ",
            in_day / 3_600_000,
            in_day / 60_000 % 60,
            in_day / 1000 % 60,
            in_day % 1000,
            if utc { "+00:00" } else { "+08:00" }
        );
    }
}

/// A CodeArts Build task-log / download-log text of about `target` bytes:
/// builds one after another, each `onStarted`, 4–8 steps of 200–5000 lines
/// (start and complete markers, 1.5 % platform records, 16 % Maven bare-level
/// lines, ~80 % raw tool output, 0.5 % blank lines, 0.3 % continuation lines,
/// 2.5 % 200 B–2 KB lines and 0.05 % 2–20 KB lines), `onCompleted`,
/// `Finished: SUCCESS`. 2 % of prefixes are `GMT+00:00`, 0.5 % jump back.
pub fn codearts_text(target: usize, seed: u64, opts: TextOpts) -> String {
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(target + 32 * 1024);
    let mut clock = Clock {
        ms: 22 * 3_600_000 + 40 * 60_000,
    };
    let mut build_no = 1u64;
    let line = |out: &mut String, rng: &mut Rng, clock: &mut Clock| {
        clock.ms += rng.below(40) as i64;
        let ms = if rng.per_mille(5) {
            clock.ms - rng.range(100, 3000) as i64
        } else {
            clock.ms
        };
        Clock::prefix(out, ms, rng.per_mille(20));
    };
    while out.len() < target {
        let mut job = String::from("j_");
        rng.alnum(&mut job, 8);
        line(&mut out, &mut rng, &mut clock);
        let _ = writeln!(
            out,
            "[INFO]  : [JobStatusPlugin] onStarted: {job} #{build_no}"
        );
        line(&mut out, &mut rng, &mut clock);
        out.push_str(
            "Resume disabled by user, switching to high-performance, low-durability mode.\n",
        );
        line(&mut out, &mut rng, &mut clock);
        out.push_str("git plugin version: 3.12.22-h1.cbu.codearts.build.r1\n");
        let steps = rng.range(4, 8);
        for _ in 0..steps {
            let (name, id) = *rng.pick(STEPS);
            line(&mut out, &mut rng, &mut clock);
            let _ = writeln!(out, "[INFO] [{name}:{id}] : 该步骤开始执行");
            let n = rng.range(200, 5000);
            for _ in 0..n {
                let k = rng.below(1000);
                match k {
                    // Blank line (no prefix at all).
                    0..=4 => {}
                    // Continuation line without a prefix.
                    5..=7 => {
                        let _ = write!(
                            out,
                            "\tat com.example.{}.handle({}.java:{})",
                            rng.pick(CLASSES),
                            rng.pick(CLASSES),
                            rng.range(10, 900)
                        );
                    }
                    // Platform record of the open step, or a [WARNING] one.
                    8..=22 => {
                        line(&mut out, &mut rng, &mut clock);
                        let level = if rng.per_mille(100) {
                            "WARNING"
                        } else {
                            "INFO"
                        };
                        let _ = write!(
                            out,
                            "[{level}] [{name}:{id}] : {}",
                            rng.pick(PLATFORM_MESSAGES)
                        );
                    }
                    // Maven's own bare levels.
                    23..=182 => {
                        line(&mut out, &mut rng, &mut clock);
                        bare_level_line(&mut rng, &mut out);
                    }
                    // ANSI colours (a Jenkins-style agent).
                    183 if opts.ansi => {
                        line(&mut out, &mut rng, &mut clock);
                        out.push_str("\x1b[1;32m[INFO]\x1b[0m \x1b[1m");
                        tool_line(&mut rng, &mut out);
                        out.push_str("\x1b[0m");
                    }
                    // A second prefix mid-line (3–4 per real log).
                    184 if rng.per_mille(100) => {
                        line(&mut out, &mut rng, &mut clock);
                        out.push_str(
                            "using GIT_ASKPASS to set credentials  username and password**** ",
                        );
                        line(&mut out, &mut rng, &mut clock);
                        out.push_str("scmType is gitcode");
                    }
                    // Long lines.
                    185..=209 => {
                        line(&mut out, &mut rng, &mut clock);
                        let len = rng.range(200, 2000) as usize;
                        long_line(&mut rng, &mut out, len);
                    }
                    210 if rng.per_mille(50) => {
                        line(&mut out, &mut rng, &mut clock);
                        let len = rng.range(2000, 20_000) as usize;
                        long_line(&mut rng, &mut out, len);
                    }
                    _ => {
                        line(&mut out, &mut rng, &mut clock);
                        tool_line(&mut rng, &mut out);
                    }
                }
                out.push('\n');
            }
            line(&mut out, &mut rng, &mut clock);
            let _ = writeln!(out, "[INFO] [{name}:{id}] : 该步骤执行完成");
        }
        line(&mut out, &mut rng, &mut clock);
        let _ = writeln!(
            out,
            "[INFO]  : [JobStatusPlugin] onCompleted: {job} #{build_no}"
        );
        line(&mut out, &mut rng, &mut clock);
        out.push_str("Finished: SUCCESS\n");
        build_no += 1;
        clock.ms += rng.range(60_000, 3_600_000) as i64;
    }
    out
}

/// JSON-escapes `s` into `out` (without quotes), as serde_json does.
pub fn json_escape(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", b);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// JSON-escapes `s` as Go's `encoding/json` does: also `< > &` (and U+2028,
/// U+2029) as `\u003c \u003e \u0026`.
fn go_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------
// CodeArts real-time log pages (formats.md §2.3, §2.7 A).

/// Cuts `text` into real-time log pages of about `page` bytes of content
/// each (at character boundaries, so lines are split across pages), as the
/// v3 API returns them: byte offsets, `has_more_data` false on the last.
pub fn realtime_pages(text: &str, page: usize) -> Vec<String> {
    let mut pages = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + page).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let more = end < text.len();
        let mut p = String::with_capacity(end - start + end / 16 + 128);
        let _ = write!(
            p,
            r#"{{"result":{{"has_more_data":{more},"offset":{end},"current_offset":{start},"content":""#
        );
        json_escape(&mut p, &text[start..end]);
        p.push_str(r#""},"error":null,"status":"success"}"#);
        pages.push(p);
        start = end;
    }
    pages
}

// ---------------------------------------------------------------------------
// SWR job log (formats.md §1.4, §1.9 A).

const SWR_STATES: &[&str] = &["waiting", "pulling", "Building", "Building", "Building"];

/// An RFC 3339 UTC time with 0–9 fraction digits (Go trims trailing zeros).
fn go_time(out: &mut String, rng: &mut Rng, secs: i64) {
    let days = secs.div_euclid(86_400);
    let s = secs.rem_euclid(86_400);
    // 2018-12-06 is day 17_871 since 1970-01-01.
    let (y, m, d) = civil_from_days(17_871 + days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
    let digits = rng.below(10) as usize;
    if digits > 0 {
        let mut frac = String::with_capacity(9);
        for i in 0..digits {
            let lo = if i + 1 == digits { 1 } else { 0 };
            frac.push((b'0' + rng.range(lo, 9) as u8) as char);
        }
        out.push('.');
        out.push_str(&frac);
    }
    out.push('Z');
}

/// One SWR job-log document: `batches` batches of `lo..=hi` entries each.
/// `log[].content` is a Go-marshalled JSON array (`\u003c \u003e \u0026`,
/// 0–9 fraction digits) encoded again as a JSON string.
pub fn swr_doc(rng: &mut Rng, out: &mut String, batches: usize, lo: u64, hi: u64) -> usize {
    let mut entries = 0;
    let mut secs = 6 * 3600 + 45 * 60 + rng.below(3600) as i64;
    let _ = write!(
        out,
        r#"{{"id":{},"service":"code_source","service_id":2502,"region_name":"","resource_type":"image","resource":"","duration":"{}","state":"success","progress":"100","pkg":{{"git_branch":"master","git_clone_type":"branch","git_tag":""}},"creator_id":"c6993164847244928091da9e86fb723f","creator_name":"dev01","created_at":"2018-12-06T06:45:16.554903Z","log_num":{batches},"log":["#,
        rng.range(1000, 99_999),
        rng.range(5, 900)
    );
    let mut inner = String::new();
    let mut msg = String::new();
    for b in 0..batches {
        inner.clear();
        inner.push('[');
        let n = rng.range(lo, hi);
        for i in 0..n {
            if i > 0 {
                inner.push(',');
            }
            secs += rng.below(2) as i64;
            msg.clear();
            let phase = (b == 0 && i == 0) || (b + 1 == batches && i + 1 == n);
            let (kind, state) = if b == 0 && i == 0 {
                msg.push_str("Preparing");
                ("phase", "waiting")
            } else if b + 1 == batches && i + 1 == n {
                msg.push_str("Successful");
                ("phase", "Successful")
            } else {
                if rng.per_mille(160) {
                    bare_level_line(rng, &mut msg);
                } else {
                    tool_line(rng, &mut msg);
                }
                ("content", *rng.pick(SWR_STATES))
            };
            debug_assert!(!phase || kind == "phase");
            let _ = write!(inner, r#"{{"Type":"{kind}","Message":""#);
            go_escape(&mut inner, &msg);
            inner.push_str(r#"","Time":""#);
            go_time(&mut inner, rng, secs);
            let _ = write!(
                inner,
                r#"","State":"{state}","Progress":{}}}"#,
                (b * 100 / batches).min(100)
            );
        }
        inner.push(']');
        entries += n as usize;
        if b > 0 {
            out.push(',');
        }
        out.push_str(r#"{"content":""#);
        json_escape(out, &inner);
        out.push_str(r#"","created_at":""#);
        go_time(out, rng, secs + 1);
        out.push_str(r#""}"#);
    }
    out.push_str("]}");
    entries
}

/// SWR job-log documents of ~20 batches × 100–500 entries each (about
/// 1.3 MB apiece, what the service keeps for one job) totalling about
/// `target` bytes. Returns the documents and their entry count.
pub fn swr_docs(target: usize, seed: u64) -> (Vec<String>, usize) {
    let mut rng = Rng(seed);
    let mut docs = Vec::new();
    let (mut size, mut entries) = (0, 0);
    while size < target {
        let mut d = String::new();
        entries += swr_doc(&mut rng, &mut d, 20, 100, 500);
        size += d.len();
        docs.push(d);
    }
    (docs, entries)
}

// ---------------------------------------------------------------------------
// BlueKing JOB v2 `get_job_instance_log`, bk-job 3.x (formats.md §4.3, §4.7).

const BK_STEPS: &[&str] = &[
    "检查磁盘",
    "deploy app",
    "拉取制品",
    "restart service",
    "健康检查",
];

/// HTML-escapes `< > &` as bk-job 3.x's `Utils.htmlEncode` does.
fn html_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
}

/// `[yyyy-MM-dd HH:mm:ss]` for seconds since 2024-05-20 00:00 (local).
fn bk_stamp(out: &mut String, secs: i64) {
    let (y, m, d) = civil_from_days(19_863 + secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
}

/// One host's `log_content` (before JSON escaping): the template's
/// `job_start`, `lo..=hi` script lines (30 % with `[date][PID:n]`),
/// `job_success:[…]` or `job_fail:[…]`; HTML-escaped. Returns the lines.
fn bk_log_content(rng: &mut Rng, out: &mut String, secs: &mut i64, lo: u64, hi: u64) -> usize {
    let pid = rng.range(1000, 99_999);
    let mut line = String::new();
    out.push('[');
    bk_stamp(out, *secs);
    let _ = writeln!(out, "][PID:{pid}] job_start");
    let n = rng.range(lo, hi);
    for _ in 0..n {
        *secs += rng.below(2) as i64;
        if rng.per_mille(300) {
            out.push('[');
            bk_stamp(out, *secs);
            let _ = write!(out, "][PID:{pid}] ");
        }
        line.clear();
        tool_line(rng, &mut line);
        html_escape(out, &line);
        out.push('\n');
    }
    out.push('[');
    bk_stamp(out, *secs);
    if rng.per_mille(950) {
        let _ = writeln!(out, "][PID:{pid}] job_success:[done]");
    } else {
        let _ = writeln!(out, "][PID:{pid}] job_fail:[exit &lt;1&gt;]");
    }
    n as usize + 2
}

/// One BlueKing v2 response (bk-job 3.x): `steps` steps, each with one or
/// two host groups of 5–40 hosts, each host's `log_content` 10–400 lines
/// (multi-KB), zone-less times, `execute_count`. Returns (steps, hosts,
/// lines).
pub fn bk_doc(rng: &mut Rng, out: &mut String, steps: usize) -> (usize, usize, usize) {
    let (mut hosts, mut lines) = (0, 0);
    let mut blob = String::new();
    let mut secs = 10 * 3600 + rng.below(3600) as i64;
    out.push_str(r#"{"code":0,"result":true,"job_request_id":""#);
    rng.hex(out, 16);
    out.push_str(r#"","data":["#);
    for s in 0..steps {
        if s > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"is_finished":true,"step_instance_id":{},"name":"{}","status":3,"step_results":["#,
            90_000 + s,
            rng.pick(BK_STEPS)
        );
        let groups = rng.range(1, 2);
        for g in 0..groups {
            if g > 0 {
                out.push(',');
            }
            let (ip_status, tag) = if g == 0 {
                (9, "")
            } else {
                (104, "copy <app> failed")
            };
            let _ = write!(
                out,
                r#"{{"ip_status":{ip_status},"tag":"{tag}","ip_logs":["#
            );
            let n = rng.range(5, 40);
            for h in 0..n {
                if h > 0 {
                    out.push(',');
                }
                let start = secs;
                blob.clear();
                lines += bk_log_content(rng, &mut blob, &mut secs, 10, 400);
                out.push_str(r#"{"start_time":""#);
                bk_stamp(out, start);
                out.push_str(r#"","end_time":""#);
                bk_stamp(out, secs);
                let _ = write!(
                    out,
                    r#"","total_time":{}.{:03},"execute_count":0,"error_code":0,"exit_code":{},"bk_cloud_id":0,"ip":"10.0.{}.{}","log_content":""#,
                    secs - start,
                    rng.below(1000),
                    if g == 0 { 0 } else { 1 },
                    rng.below(256),
                    rng.range(1, 254)
                );
                json_escape(out, &blob);
                out.push_str(r#""}"#);
            }
            hosts += n as usize;
            out.push_str("]}");
        }
        out.push_str("]}");
    }
    // A step still waiting for a person: no results yet.
    let _ = write!(
        out,
        r#",{{"is_finished":false,"step_instance_id":{},"name":"人工确认","status":7,"step_results":[]}}]}}"#,
        90_000 + steps
    );
    (steps + 1, hosts, lines)
}

/// BlueKing v2 responses of 3–8 steps each (1–5 MB apiece), totalling about
/// `target` bytes. Returns the documents and (steps, hosts, lines).
pub fn bk_docs(target: usize, seed: u64) -> (Vec<String>, (usize, usize, usize)) {
    let mut rng = Rng(seed);
    let mut docs = Vec::new();
    let mut size = 0;
    let mut tot = (0, 0, 0);
    while size < target {
        let mut d = String::new();
        let steps = rng.range(3, 8) as usize;
        let (s, h, l) = bk_doc(&mut rng, &mut d, steps);
        tot = (tot.0 + s, tot.1 + h, tot.2 + l);
        size += d.len();
        docs.push(d);
    }
    (docs, tot)
}
