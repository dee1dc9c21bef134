# bash completion for pgsift: its commands, options and their values.
# Installed as share/bash-completion/completions/pgsift (make install);
# to try it from the source tree: . doc/completion/pgsift.bash
# The doc suite (tests/check_doc.c) checks that every long option and
# input format `pgsift --help` prints is offered here.

_pgsift()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -n = || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="report check tui merge help"
	local formats="md json text html"
	local inputs="stderr syslog csvlog jsonlog cnpg gcp azure cloudwatch
		cloudwatch-s3 heroku sentry sentry-csv otlp pgss-csv indexes-csv
		tables-csv statio-csv database-age-csv relation-age-csv report-json
		pgbouncer"
	local options="--format --output --prefix --input-format --year --since
		--until --db --user --app --include --exclude --top --detail-groups
		--bands --show-literals --all-kinds --n1-min --n1-min-ms --n1-gap-ms
		--slow-span-ms --offset-min --unbounded-rows --jobs --save --state
		--quiet --progress --no-progress --fail-on --annotations --config --baseline --help"

	if ((cword == 1)); then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	if [[ ${words[1]} == help ]]; then
		((cword == 2)) && COMPREPLY=($(compgen -W "report check tui merge" -- "$cur"))
		return
	fi

	# --option=value: one word under bash-completion (-n =), three
	# ("--option" "=" "value") in plain bash, where = breaks words.
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	elif [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = ]] && ((cword >= 3)); then
		prev=${words[cword-2]}
	fi
	case $prev in
	-f | --format)
		COMPREPLY=($(compgen -W "$formats" -- "$cur"))
		return ;;
	--input-format)
		COMPREPLY=($(compgen -W "$inputs" -- "$cur"))
		return ;;
	--detail-groups)
		COMPREPLY=($(compgen -W "all 5000" -- "$cur"))
		return ;;
	--fail-on)
		COMPREPLY=($(compgen -W "p50> p95> p99> mean> max> total> calls>
			severity>=info severity>=warning severity>=critical finding=
			new-fingerprint regression>" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	-o | --output | --config | --baseline | --save)
		_pgsift_files
		return ;;
	--state)
		_pgsift_files -d
		return ;;
	--prefix | --year | --since | --until | --db | --user | --app | \
	--include | --exclude | --top | --bands | --n1-min | --n1-min-ms | \
	--n1-gap-ms | --slow-span-ms | --offset-min | --unbounded-rows | \
	-j | --jobs)
		return ;;      # a value only the user knows
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$options -f -o -j -q" -- "$cur"))
		return
	fi
	_pgsift_files
}

# Files (or with -d directories), through bash-completion when loaded.
_pgsift_files()
{
	if declare -F _filedir >/dev/null 2>&1; then
		_filedir "$@"
	elif [[ ${1-} == -d ]]; then
		COMPREPLY=($(compgen -d -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

complete -F _pgsift pgsift
