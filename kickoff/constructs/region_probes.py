"""Canaries in one Region that probe every cell and the viewer name, and alarms on how they differ."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_synthetics as synthetics
from cdk_monitoring_constructs import CustomMetricGroup, CustomMetricWithAlarm, CustomThreshold, MonitoringFacade
from constructs import Construct

from kickoff.naming import pascal

# The newest Node.js runtime aws-cdk-lib 2.275 knows that AWS has not retired (5.2, 6.2 and 7.0 were retired in
# January 2026; 13.1 and later move the library to the @aws/synthetics-puppeteer namespace). Decision 0014.
RUNTIME = synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0
# A metric math alarm reads at most 10 metrics (CloudWatch; aws-cdk-lib refuses more at synth): the probed
# target's success and duration, and the same 2 for each reference, so at most 4 references. With more than 5
# cells, this Region's own divergence alarm compares against the first 4 others in config order.
ALARM_METRICS_LIMIT = 10
METRICS_PER_TARGET = 2
MAX_REFERENCES = (ALARM_METRICS_LIMIT - METRICS_PER_TARGET) // METRICS_PER_TARGET
# SuccessPercent of one run is 0 or 100.
ALL_PASSED = 100

CANARY_SCRIPT = """const synthetics = require('Synthetics');
const log = require('SyntheticsLogger');
const HOST = %(host)s;
const PATHS = %(paths)s;
exports.handler = async function () {
  for (const path of PATHS) {
    await synthetics.executeHttpStep('GET ' + path, {hostname: HOST, method: 'GET', path: path, port: 443,
      protocol: 'https:', headers: {'User-Agent': synthetics.getCanaryUserAgentString()}}, function (res) {
      return new Promise(function (resolve, reject) {
        if (res.statusCode < 200 || res.statusCode > 299) {
          reject(new Error(HOST + path + ' answered ' + res.statusCode));
        }
        res.on('data', function () {});
        res.on('end', resolve);
      });
    });
    log.info('ok ' + HOST + path);
  }
};
"""


@dataclass(frozen=True)
class ProbeTarget:
    """A name one canary probes over HTTPS, on each of ``paths``: a cell (``key`` its Region) or the viewer name."""

    key: str
    canary_name: str
    host: str
    paths: tuple[str, ...]


class RegionProbes(Construct):
    """One canary per target, run from this Region, and the divergence alarms they feed.

    CloudWatch alarms cannot read another Region's metrics, so the comparison is made here,
    from probes that all run here. For each probed cell X other than this one, the alarm
    "X diverges" fires when the probe of X fails or is slow for ``failed_runs`` runs while the
    probe of this Region's own cell passes: the "remote bad, local good" pattern behind a
    region-switch decision. For this Region's own cell, it fires when the local probe is bad
    while every other cell's probe (up to ``MAX_REFERENCES``) passes: "it is us, not the
    internet". For the viewer name, it fires when the viewer path is bad while this Region's
    cell answers: the edge (CloudFront, WAF, DNS), not the cells.

    Attributes: ``canaries`` (key -> canary), ``artifact_prefixes`` (key -> S3 prefix),
    ``divergence_alarm_count``, ``own_divergence`` (the own cell's divergence alarm).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        region: str,
        targets: list[ProbeTarget],
        rate_minutes: int,
        failed_runs: int,
        slow_ms: int,
        facade: MonitoringFacade,
        artifacts_bucket: s3.IBucket,
        viewer_key: str,
    ) -> None:
        super().__init__(scope, id_)
        keys = [t.key for t in targets]
        if region not in keys:
            raise ValueError(f"the probes of {region} must include its own cell")
        if len(set(keys)) != len(keys):
            raise ValueError(f"probe targets must be distinct (got {keys})")
        if not 1 <= rate_minutes <= 60:
            raise ValueError("rate_minutes must be 1 to 60")
        period = Duration.minutes(rate_minutes)
        self.canaries: dict[str, synthetics.Canary] = {}
        self.artifact_prefixes: dict[str, str] = {}
        success: dict[str, cloudwatch.Metric] = {}
        duration: dict[str, cloudwatch.Metric] = {}
        for target in targets:
            canary = synthetics.Canary(
                self,
                f"Probe{pascal(target.key)}",
                canary_name=target.canary_name,
                runtime=RUNTIME,
                test=synthetics.Test.custom(
                    code=synthetics.Code.from_inline(
                        CANARY_SCRIPT % {"host": json.dumps(target.host), "paths": json.dumps(list(target.paths))}
                    ),
                    handler="index.handler",
                ),
                schedule=synthetics.Schedule.rate(period),
                artifacts_bucket_location=synthetics.ArtifactsBucketLocation(
                    bucket=artifacts_bucket, prefix=f"canaries/{target.canary_name}"
                ),
                success_retention_period=Duration.days(7),
                failure_retention_period=Duration.days(31),
                start_after_creation=True,
                timeout=Duration.minutes(1),  # every path of a probe answers well within a run's minute
                provisioned_resource_cleanup=True,
            )
            self.canaries[target.key] = canary
            self.artifact_prefixes[target.key] = f"canaries/{target.canary_name}"
            success[target.key] = canary.metric_success_percent(period=period, statistic="Average")
            duration[target.key] = canary.metric_duration(period=period, statistic="Maximum")

        def bad(var: str) -> str:
            return f"(FILL(s{var}, {ALL_PASSED}) < {ALL_PASSED} OR FILL(d{var}, 0) > {slow_ms})"

        def good(var: str) -> str:
            return f"(FILL(s{var}, 0) >= {ALL_PASSED} AND FILL(d{var}, {slow_ms + 1}) <= {slow_ms})"

        metrics: list[CustomMetricWithAlarm] = []
        for j, target in enumerate(targets):
            if target.key == region:
                references = [k for k in keys if k not in (region, viewer_key)][:MAX_REFERENCES]
                if not references:
                    continue
                what = (
                    f"the probe of this Region's cell fails or is slow while the probes of {', '.join(references)} pass"
                )
            elif target.key == viewer_key:
                references = [region]
                what = f"the viewer name fails or is slow while {region}'s own cell answers (the edge, not the cells)"
            else:
                references = [region]
                what = f"{target.key} fails or is slow from {region} while {region}'s own cell answers"
            # Metric IDs are unique per graph, and all divergence expressions share one: prefix them by target.
            using: dict[str, cloudwatch.IMetric] = {f"s{j}x": success[target.key], f"d{j}x": duration[target.key]}
            for i, ref in enumerate(references):
                using[f"s{j}r{i}"], using[f"d{j}r{i}"] = success[ref], duration[ref]
            expression = f"IF({bad(f'{j}x')} AND " + " AND ".join(good(f"{j}r{i}") for i in range(len(references)))
            expression += ", 1, 0)"
            metrics.append(
                CustomMetricWithAlarm(
                    metric=cloudwatch.MathExpression(
                        expression=expression,
                        using_metrics=using,
                        label=f"{target.key} diverges",
                        period=period,
                    ),
                    alarm_friendly_name=f"Diverges-{target.key}",
                    add_alarm={
                        "Divergence": CustomThreshold(
                            threshold=0,
                            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                            period=period,
                            evaluation_periods=failed_runs,
                            datapoints_to_alarm=failed_runs,
                            treat_missing_data_override=cloudwatch.TreatMissingData.NOT_BREACHING,
                            alarm_description_override=f"Divergence seen from {region}: {what}.",
                        )
                    },
                )
            )
        self.divergence_alarm_count = len(metrics)
        self._facade = facade
        self._own = f"Diverges-{region}"
        facade.monitor_custom(
            alarm_friendly_name="Probes",
            human_readable_name=f"Probes from {region}",
            metric_groups=[
                CustomMetricGroup(title="Probe success (%)", metrics=list(success.values())),
                CustomMetricGroup(title="Probe duration (ms)", metrics=list(duration.values())),
                CustomMetricGroup(title="Divergence (1 = one target differs)", metrics=metrics),
            ],
        )

    @functools.cached_property
    def own_divergence(self) -> cloudwatch.IAlarm | None:
        """The alarm "this Region's cell fails while the other cells answer": the cell differs from the others
        (None with a single cell).

        Looked up among the divergence alarms only, once: every alarm the facade returns crosses the jsii bridge
        field by field, and asking for all of the cell's alarms cost about a second of a synth per call."""
        divergence = self._facade.created_alarms_with_disambiguator("Divergence")
        return next((a.alarm for a in divergence if f"-{self._own}-Divergence" in a.alarm_name), None)
