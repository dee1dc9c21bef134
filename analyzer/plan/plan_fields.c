/* plan_fields.c: the keys of EXPLAIN's JSON form that the plan model has
 * a field for, and where each goes in struct plan_node. plan_json.c reads
 * by this table; plan_model.c asks it which keys are not extras. */
#include <stddef.h>
#include <string.h>

#include "plan_int.h"
#include "util.h"

#define NODE(m) ((long)offsetof(struct plan_node, m))
#define F(key, kind, m) { key, kind, NODE(m), -1, -1 }
#define FF(key, kind, m, f) { key, kind, NODE(m), NODE(f), -1 }
#define BUF(key, m) { key, PF_I64, NODE(buffers.m), NODE(has_buffers), -1 }
#define IO(key, m) { key, PF_NUM, NODE(io.m), NODE(has_io_timing), -1 }

static const struct plan_field fields[] = {
	F("Node Type", PF_STR, node_type),
	F("Strategy", PF_STR, strategy),
	F("Partial Mode", PF_STR, partial_mode),
	F("Operation", PF_STR, operation),
	F("Join Type", PF_STR, join_type),
	F("Command", PF_STR, command),
	F("Custom Plan Provider", PF_STR, custom_provider),
	F("Parent Relationship", PF_STR, parent_relationship),
	F("Subplan Name", PF_STR, subplan_name),
	F("Relation Name", PF_STR, relation_name),
	F("Schema", PF_STR, schema),
	F("Alias", PF_STR, alias),
	F("Index Name", PF_STR, index_name),
	F("Scan Direction", PF_STR, scan_direction),
	F("Function Name", PF_STR, function_name),
	F("CTE Name", PF_STR, cte_name),
	F("Parallel Aware", PF_BOOL, parallel_aware),
	F("Async Capable", PF_BOOL, async_capable),
	F("Single Copy", PF_BOOL, single_copy),
	F("Inner Unique", PF_TRI, inner_unique),
	FF("Startup Cost", PF_NUM, startup_cost, has_costs),
	FF("Total Cost", PF_NUM, total_cost, has_costs),
	FF("Plan Rows", PF_NUM, plan_rows, has_costs),
	FF("Plan Width", PF_INT, plan_width, has_costs),
	{ "Actual Startup Time", PF_NUM, NODE(actual_startup_ms), NODE(has_timing), NODE(has_actual) },
	{ "Actual Total Time", PF_NUM, NODE(actual_total_ms), NODE(has_timing), NODE(has_actual) },
	FF("Actual Rows", PF_NUM, actual_rows, has_actual),
	FF("Actual Loops", PF_NUM, actual_loops, has_actual),
	F("Filter", PF_STR, filter),
	F("Index Cond", PF_STR, index_cond),
	F("Recheck Cond", PF_STR, recheck_cond),
	F("Hash Cond", PF_STR, hash_cond),
	F("Merge Cond", PF_STR, merge_cond),
	F("Join Filter", PF_STR, join_filter),
	F("Rows Removed by Filter", PF_NUM, rows_removed_by_filter),
	F("Rows Removed by Join Filter", PF_NUM, rows_removed_by_join_filter),
	F("Rows Removed by Index Recheck", PF_NUM, rows_removed_by_index_recheck),
	FF("Sort Key", PF_LIST, sort_key, nsort_key),
	FF("Group Key", PF_LIST, group_key, ngroup_key),
	F("Sort Method", PF_STR, sort_method),
	F("Sort Space Type", PF_STR, sort_space_type),
	F("Sort Space Used", PF_I64, sort_space_kb),
	FF("Hash Buckets", PF_I64, hash_buckets, has_hash),
	FF("Original Hash Buckets", PF_I64, orig_hash_buckets, has_hash),
	FF("Hash Batches", PF_I64, hash_batches, has_hash),
	FF("Original Hash Batches", PF_I64, orig_hash_batches, has_hash),
	FF("HashAgg Batches", PF_I64, hashagg_batches, has_hashagg),
	FF("Disk Usage", PF_I64, disk_usage_kb, has_hashagg),
	F("Planned Partitions", PF_I64, planned_partitions),
	FF("Peak Memory Usage", PF_I64, peak_memory_kb, has_peak_memory),
	F("Heap Fetches", PF_NUM, heap_fetches),
	F("Exact Heap Blocks", PF_I64, exact_heap_blocks),
	F("Lossy Heap Blocks", PF_I64, lossy_heap_blocks),
	F("Workers Planned", PF_INT, workers_planned),
	F("Workers Launched", PF_INT, workers_launched),
	F("Worker Number", PF_INT, worker_number),
	BUF("Shared Hit Blocks", shared_hit),
	BUF("Shared Read Blocks", shared_read),
	BUF("Shared Dirtied Blocks", shared_dirtied),
	BUF("Shared Written Blocks", shared_written),
	BUF("Local Hit Blocks", local_hit),
	BUF("Local Read Blocks", local_read),
	BUF("Local Dirtied Blocks", local_dirtied),
	BUF("Local Written Blocks", local_written),
	BUF("Temp Read Blocks", temp_read),
	BUF("Temp Written Blocks", temp_written),
	/* Up to PostgreSQL 16, shared and local reads were timed together. */
	{ "I/O Read Time", PF_NUM, NODE(io.shared_read_ms), NODE(has_io_timing), NODE(io_lumped) },
	{ "I/O Write Time", PF_NUM, NODE(io.shared_write_ms), NODE(has_io_timing), NODE(io_lumped) },
	IO("Shared I/O Read Time", shared_read_ms),
	IO("Shared I/O Write Time", shared_write_ms),
	IO("Local I/O Read Time", local_read_ms),
	IO("Local I/O Write Time", local_write_ms),
	IO("Temp I/O Read Time", temp_read_ms),
	IO("Temp I/O Write Time", temp_write_ms),
	/* A node's "JIT" (a worker's, with VERBOSE) is not kept: the plan's
	 * summary (read_jit()) adds the workers' up already. */
	{ "JIT", PF_SKIP, 0, -1, -1 },
};

bool plan_json_reserved(const char *key)
{
	static const char *const structure[] = {
		"Plans", "Workers", "Plan", "Query Text", "Triggers", "Planning Time",
		"Execution Time",
	};
	for (size_t i = 0; i < ARRAY_SIZE(structure); i++)
		if (strcmp(key, structure[i]) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(key, fields[i].key) == 0)
			return true;
	return false;
}

const struct plan_field *plan_field_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	return NULL;
}
