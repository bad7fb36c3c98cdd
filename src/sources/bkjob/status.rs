//! v3 `get_job_instance_status`: the job, each step and each host result as
//! `status` events. Times are epoch milliseconds (UTC), `total_time`
//! milliseconds; every member may be `null`. The payload is small, so the
//! events are built at once.

use crate::error::Error;
use crate::event::{Context, LogEvent, Scalar};
use crate::json;
use crate::note::Notes;
use crate::options::Options;
use crate::source::Source;

use super::codes::{self, StatusCode};
use super::wire;
use super::{Attrs, Cx, attr, cx, envelope, time_attr};

pub(super) fn status_str<'a>(input: &'a str, opts: &Options) -> Result<Vec<LogEvent<'a>>, Error> {
    let cx = cx(input, opts, Source::BkjobStatus);
    let Some(json::Obj(data)) = envelope::<json::Obj<wire::StatusData<'a>>>(&cx)? else {
        return Ok(Vec::new());
    };
    let mut seq = 0;
    let mut out = Vec::new();
    let mut job = Context::default();
    if let Some(j) = &data.job_instance {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        job.job = cx.text(j.job_instance_id, "job_instance_id", &mut notes, &mut attrs)?;
        let mut e = cx.status_event(&mut seq, job.clone());
        if let Some(name) = cx.text(j.name, "name", &mut notes, &mut attrs)? {
            attrs.push(("job_name", Scalar::Str(name)));
        }
        attr(&mut attrs, "bk_scope_type", j.bk_scope_type);
        attr(&mut attrs, "bk_scope_id", j.bk_scope_id);
        attr(&mut attrs, "bk_biz_id", j.bk_biz_id);
        cx.flag(data.finished, "finished", &mut notes, &mut attrs)?;
        run_fields(
            &cx,
            &mut e,
            j.run(),
            codes::step_status,
            "job status",
            "1-15",
            &mut notes,
            &mut attrs,
        )?;
        e.notes = notes;
        e.attrs = attrs;
        out.push(e);
    }
    for s in json::objs(data.step_instance_list) {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        let mut ctx = job.clone();
        ctx.step_id = cx.text(
            s.step_instance_id,
            "step_instance_id",
            &mut notes,
            &mut attrs,
        )?;
        ctx.step_name = cx.text(s.name, "name", &mut notes, &mut attrs)?;
        ctx.attempt = cx
            .int(
                s.execute_count,
                "execute_count",
                0..=i64::from(u32::MAX),
                &mut notes,
                &mut attrs,
            )?
            .and_then(|a| u32::try_from(a).ok());
        let mut e = cx.status_event(&mut seq, ctx.clone());
        attr(&mut attrs, "step_type", s.step_type);
        run_fields(
            &cx,
            &mut e,
            s.run(),
            codes::step_status,
            "step status",
            "1-15",
            &mut notes,
            &mut attrs,
        )?;
        e.notes = notes;
        e.attrs = attrs;
        out.push(e);
        for r in json::objs(s.step_ip_result_list) {
            let mut notes = Notes::EMPTY;
            let mut attrs = Vec::new();
            let mut host_attrs = Vec::new();
            let mut hctx = ctx.clone();
            hctx.host = cx.host(r.host(), &mut notes, &mut host_attrs)?;
            hctx.exit_code = cx.int(
                r.exit_code,
                "exit_code",
                i64::MIN..=i64::MAX,
                &mut notes,
                &mut attrs,
            )?;
            let mut e = cx.status_event(&mut seq, hctx);
            attr(&mut attrs, "tag", r.tag);
            attr(&mut attrs, "error_code", r.error_code);
            attrs.append(&mut host_attrs);
            run_fields(
                &cx,
                &mut e,
                r.run(),
                codes::host_status,
                "host status",
                "the 32 codes of ExecuteObjectTaskStatusEnum",
                &mut notes,
                &mut attrs,
            )?;
            e.notes = notes;
            e.attrs = attrs;
            out.push(e);
        }
    }
    Ok(out)
}

/// Status, times and duration of a v3 job, step or host result.
#[allow(clippy::too_many_arguments)]
fn run_fields<'a>(
    cx: &Cx<'a, '_>,
    e: &mut LogEvent<'a>,
    run: wire::Run<'a>,
    table: fn(i64) -> Option<&'static StatusCode>,
    what: &str,
    known: &str,
    notes: &mut Notes,
    attrs: &mut Attrs<'a>,
) -> Result<(), Error> {
    let (status, vendor) = cx.status(run.status, table, what, known, notes)?;
    e.status = status;
    e.vendor_status = vendor;
    e.time = cx.epoch_time(run.start_time, "raw_time", notes, attrs)?;
    e.duration = cx.duration(run.total_time, true, notes, attrs)?;
    let created = cx.epoch_time(run.create_time, "create_time", notes, attrs)?;
    let end = cx.epoch_time(run.end_time, "end_time", notes, attrs)?;
    time_attr(attrs, "create_time", created);
    time_attr(attrs, "end_time", end);
    Ok(())
}
