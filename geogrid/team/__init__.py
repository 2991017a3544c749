"""The assistants' team (issue 20): selection, leave with a cover on duty, rewards and
sanctions, training, meetings, requests, and the monthly assessment and subsidy."""
