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

use super::wire;
use super::{Attrs, CodeTable, Doc, attr, envelope, time_attr};

pub(super) fn status_str<'a>(input: &'a str, opts: &Options) -> Result<Vec<LogEvent<'a>>, Error> {
    let doc = Doc::new(input, opts, Source::BkjobStatus);
    let env = envelope::<json::Obj<wire::StatusData<'a>>>(&doc)?;
    let Some(json::Obj(data)) = env.data else {
        return Ok(Vec::new());
    };
    let mut seq = 0;
    let mut out = Vec::new();
    let mut job = Context::default();
    if let Some(j) = &data.job_instance {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        job.job = doc.text(j.job_instance_id, "job_instance_id", &mut notes, &mut attrs)?;
        let mut e = doc.status_event(&mut seq, job.clone());
        if let Some(name) = doc.text(j.name, "name", &mut notes, &mut attrs)? {
            attrs.push(("job_name", Scalar::Str(name)));
        }
        attr(&mut attrs, "bk_scope_type", j.bk_scope_type);
        attr(&mut attrs, "bk_scope_id", j.bk_scope_id);
        attr(&mut attrs, "bk_biz_id", j.bk_biz_id);
        doc.flag(data.finished, "finished", &mut notes, &mut attrs)?;
        run_fields(
            &doc,
            &mut e,
            j.run(),
            CodeTable::JOB,
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
        ctx.step_id = doc.text(
            s.step_instance_id,
            "step_instance_id",
            &mut notes,
            &mut attrs,
        )?;
        ctx.step_name = doc.text(s.name, "name", &mut notes, &mut attrs)?;
        ctx.attempt = doc
            .int(
                s.execute_count,
                "execute_count",
                0..=i64::from(u32::MAX),
                &mut notes,
                &mut attrs,
            )?
            .and_then(|a| u32::try_from(a).ok());
        let mut e = doc.status_event(&mut seq, ctx.clone());
        attr(&mut attrs, "step_type", s.step_type);
        run_fields(
            &doc,
            &mut e,
            s.run(),
            CodeTable::STEP,
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
            hctx.host = doc.host(r.host(), &mut notes, &mut host_attrs)?;
            hctx.exit_code = doc.int(
                r.exit_code,
                "exit_code",
                i64::MIN..=i64::MAX,
                &mut notes,
                &mut attrs,
            )?;
            let mut e = doc.status_event(&mut seq, hctx);
            attr(&mut attrs, "tag", r.tag);
            attr(&mut attrs, "error_code", r.error_code);
            attrs.append(&mut host_attrs);
            run_fields(
                &doc,
                &mut e,
                r.run(),
                CodeTable::HOST,
                &mut notes,
                &mut attrs,
            )?;
            e.notes = notes;
            e.attrs = attrs;
            out.push(e);
        }
    }
    if let Some(first) = out.first_mut() {
        first.attrs.extend(env.ids);
    }
    Ok(out)
}

/// Status, times and duration of a v3 job, step or host result.
fn run_fields<'a>(
    doc: &Doc<'a, '_>,
    e: &mut LogEvent<'a>,
    run: wire::Run<'a>,
    table: CodeTable,
    notes: &mut Notes,
    attrs: &mut Attrs<'a>,
) -> Result<(), Error> {
    let (status, vendor) = doc.status(run.status, table, notes)?;
    e.status = status;
    e.vendor_status = vendor;
    e.time = doc.epoch_time(run.start_time, "raw_time", notes, attrs)?;
    e.duration = doc.duration(run.total_time, true, notes, attrs)?;
    let created = doc.epoch_time(run.create_time, "create_time", notes, attrs)?;
    let end = doc.epoch_time(run.end_time, "end_time", notes, attrs)?;
    time_attr(attrs, "create_time", created);
    time_attr(attrs, "end_time", end);
    Ok(())
}
