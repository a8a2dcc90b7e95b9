# model fuzz7029, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.avg_pool2d(h, 2, 2, 0)
        h = F.batch_norm(h, None, None, t["net1.1.weight"], t["net1.1.bias"], True, 0.1, 0.1)
        h = F.conv2d(h, t["net1.2.weight"], t["net1.2.bias"], 1, 0, 1, 1)
        h = F.batch_norm(h, None, None, t["net1.3.weight"], t["net1.3.bias"], True, 0.1, 0.1)
        h = F.log_softmax(h, -1)
        h = torch.flatten(h, 1)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.7.weight"], t["net1.7.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.9.weight"], t["net1.9.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.11.weight"], t["net1.11.bias"])
        h = F.elu(h)
        return h
    def net2(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        h = torch.relu(h)
        return h
    v1 = F.elu(net2(net1(x)))
    v2 = torch.sqrt((torch.abs(net1(x)) + torch.tensor(0.5)))
    v3 = F.gelu(v2)
    v4 = torch.sqrt((torch.abs(v3) + torch.tensor(0.5)))
    v5 = (v4 / (torch.sigmoid(v4) + torch.tensor(0.5)))
    p1 = t["p1"]
    v6 = torch.matmul(v5, p1)
    p2 = t["p2"]
    v7 = torch.sigmoid(torch.tanh(torch.matmul(v6, p2)))
    p3 = t["p3"]
    v8 = torch.tanh((p3 + (-x)))
    v9 = (-(-(v8 - v8)))
    v10 = F.log_softmax(torch.relu((net1(F.elu(v9)) - torch.tensor(0.25))), -1)
    return F.binary_cross_entropy_with_logits(F.linear(torch.tanh(v10), t["loss.weight"], t["loss.bias"]), y) + (torch.tensor(0.01) * torch.mean((p3 * p3))) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
