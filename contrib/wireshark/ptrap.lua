-- ptrap.lua: a Wireshark/tshark post-dissector for ptrap's capture files.
--
-- ptrap -w writes the sending process into each packet's comment:
--   PID: 1234 / Cmd: /usr/bin/dig / Args: dig ... / UserId: 0 /
--   ParentPID: 1200 / Comm: dig   (one "Key: value" per line)
-- and what the payload said: Query: A www.example.test (one line per DNS
-- question) / SNI: api.example.test / Host: example.test, names in dig's
-- escaped form; and who the process is: User: alice / Group: staff /
-- Unit: ssh.service / UserUnit: app.service / Container: docker:<id> /
-- Chain: dig(1234) < bash(1190) < systemd(1) / Cgroup: /system.slice/... /
-- Exited: yes.
-- This turns those lines into filterable fields:
--   tshark -X lua_script:ptrap.lua -r f.pcapng -Y 'ptrap.comm == "dig"'
-- Install: copy into a Lua plugin folder ("tshark -G folders" lists them).

local ptrap = Proto("ptrap", "ptrap process")

local f_pid = ProtoField.uint32("ptrap.pid", "PID")
local f_ppid = ProtoField.uint32("ptrap.ppid", "Parent PID")
local f_uid = ProtoField.uint32("ptrap.uid", "User ID")
local f_comm = ProtoField.string("ptrap.comm", "Command name")
local f_exe = ProtoField.string("ptrap.exe", "Executable")
local f_args = ProtoField.string("ptrap.args", "Arguments")
local f_reason = ProtoField.string("ptrap.reason", "Why no process")
local f_query = ProtoField.string("ptrap.query", "DNS query name")
local f_qtype = ProtoField.string("ptrap.qtype", "DNS query type")
local f_sni = ProtoField.string("ptrap.sni", "TLS server name")
local f_host = ProtoField.string("ptrap.host", "HTTP host")
local f_plproblem = ProtoField.string("ptrap.payload_problem", "Payload problem")
local f_user = ProtoField.string("ptrap.user", "User")
local f_group = ProtoField.string("ptrap.group", "Group")
local f_unit = ProtoField.string("ptrap.unit", "systemd unit")
local f_user_unit = ProtoField.string("ptrap.user_unit", "User's systemd unit")
local f_container = ProtoField.string("ptrap.container", "Container (runtime:id)")
local f_chain = ProtoField.string("ptrap.chain", "Parent chain")
local f_cgroup = ProtoField.string("ptrap.cgroup", "cgroup")
local f_exited = ProtoField.string("ptrap.exited", "Sender had exited")
ptrap.fields = { f_pid, f_ppid, f_uid, f_comm, f_exe, f_args, f_reason,
	f_query, f_qtype, f_sni, f_host, f_plproblem, f_user, f_group, f_unit,
	f_user_unit, f_container, f_chain, f_cgroup, f_exited }

local comment_field = Field.new("frame.comment")

-- Which field each comment key fills, and whether it is a number.
local keys = {
	["PID"] = { f_pid, true },
	["ParentPID"] = { f_ppid, true },
	["UserId"] = { f_uid, true },
	["Comm"] = { f_comm, false },
	["Cmd"] = { f_exe, false },
	["Args"] = { f_args, false },
	["Reason"] = { f_reason, false },
	["SNI"] = { f_sni, false },
	["Host"] = { f_host, false },
	["PayloadProblem"] = { f_plproblem, false },
	["User"] = { f_user, false },
	["Group"] = { f_group, false },
	["Unit"] = { f_unit, false },
	["UserUnit"] = { f_user_unit, false },
	["Container"] = { f_container, false },
	["Chain"] = { f_chain, false },
	["Cgroup"] = { f_cgroup, false },
	["Exited"] = { f_exited, false },
}

function ptrap.dissector(tvb, pinfo, tree)
	local c = comment_field()
	if c == nil then
		return
	end
	local text = tostring(c.value)
	if not text:find("^PID: ") then
		return
	end
	local sub = tree:add(ptrap, "ptrap process")
	for line in text:gmatch("[^\n]+") do
		local k, v = line:match("^(%a+): (.*)$")
		local f = k and keys[k]
		if k == "Query" then
			-- "TYPE NAME [CLASS]": a name never holds a space
			local t, n = v:match("^(%S+) (%S+)")
			if t then
				sub:add(f_qtype, t)
				sub:add(f_query, n)
			end
		elseif f then
			if f[2] then
				local n = tonumber(v)
				if n then
					sub:add(f[1], n)
				end
			else
				sub:add(f[1], v)
			end
		end
	end
end

register_postdissector(ptrap)
