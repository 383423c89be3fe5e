import type { InspectReport } from './inspect-report.js';
import { formatTable } from './text-table.js';

/** The report as text: a cluster line, then topics, groups, schemas and stores as padded tables. */
export function formatInspectReport(report: InspectReport, store?: string): string {
  const brokers = report.brokers
    .map(
      ({ nodeId, host, port, controller }) => `${nodeId} ${host}:${port}${controller ? ' (controller)' : ''}`,
    )
    .join(', ');
  const sections = [
    `Cluster ${report.clusterId}, topic prefix ${JSON.stringify(report.topicPrefix)}\nBrokers: ${brokers}\n`,
    section(
      'TOPICS',
      formatTable(
        ['TOPIC', 'KIND', 'PARTITION', 'LEADER', 'EARLIEST', 'LATEST'],
        report.topics.flatMap(({ topic, kind, partitions }) =>
          partitions.map(({ partition, leader, earliest, latest }) => [
            topic,
            kind,
            String(partition),
            String(leader),
            earliest,
            latest,
          ]),
        ),
      ),
      report.topics.length,
    ),
    section(
      'GROUPS',
      report.groups
        .map(
          ({ groupId, lag, partitions }) =>
            `${groupId}  lag ${lag}\n` +
            formatTable(
              ['TOPIC', 'PARTITION', 'COMMITTED', 'LATEST', 'LAG'],
              partitions.map(({ topic, partition, committed, latest, lag: behind }) => [
                topic,
                String(partition),
                committed === '-1' ? '-' : committed,
                latest,
                String(behind),
              ]),
              '  ',
            ),
        )
        .join('\n'),
      report.groups.length,
    ),
  ];
  if (report.schemas) {
    sections.push(
      section(
        'SCHEMAS',
        formatTable(
          ['ID', 'VERSIONS', 'TOPIC'],
          report.schemas.map(({ id, versions, topic }) => [
            id,
            versions.map(({ version }) => version).join(', ') || '-',
            topic,
          ]),
        ),
        report.schemas.length,
      ),
    );
  }
  if (report.stores) {
    sections.push(
      section(
        `STORES in ${store ?? 'the store database'}`,
        formatTable(
          ['STORE', 'KEYS', 'EXPIRED'],
          report.stores.map(({ store: name, keys, expired }) => [name, String(keys), String(expired)]),
        ),
        report.stores.length,
      ),
    );
  }
  const outside = (report.storedOffsets ?? []).filter(
    ({ range }) => range === 'beyond-end' || range === 'below-start',
  );
  if (report.storedOffsets) {
    sections.push(
      section(
        'STORED OFFSETS OUTSIDE THEIR LOG (halted unless offsetReset says otherwise)',
        formatTable(
          ['GROUP', 'TOPIC', 'PARTITION', 'STORED', 'WHERE'],
          outside.map(({ group, topic, partition, offset, range }) => [
            group,
            topic,
            String(partition),
            offset,
            range,
          ]),
        ),
        outside.length,
      ),
    );
  }
  return sections.join('\n');
}

function section(title: string, body: string, count: number): string {
  return `${title}\n${count === 0 ? '(none)\n' : body}`;
}
